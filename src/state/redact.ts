// Secrets never reach logs or events: every line passes through a redactor that knows them all.

export class Redactor {
  private values: string[] = [];

  add(...secrets: (string | undefined)[]): void {
    for (const s of secrets) {
      // Even a short secret is redacted: a 4-character sudo password is still a password.
      if (s && !this.values.includes(s)) this.values.push(s);
      // A PEM block is redacted line by line too, in case it arrives split.
      if (s && s.includes('\n'))
        for (const line of s.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) this.add(line);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('<redacted>');
    return out;
  }
}
