// Catalog URLs carry {placeholders}; fill them and refuse to leave one unfilled.
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => {
    const v = values[key];
    if (v === undefined)
      throw new Error(`catalog template ${template} uses {${key}}, which has no value here`);
    return v;
  });
}
