// A small spinner that advances on its own clock (the install grid throttles it with everything else).
import { Text } from 'ink';
import { useEffect, useState } from 'react';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner({ label }: { label?: string }) {
  const [i, setI] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setI((x) => (x + 1) % FRAMES.length), 120);
    return () => clearInterval(t);
  }, []);
  return (
    <Text>
      <Text color="yellow">{FRAMES[i]}</Text>
      {label ? ` ${label}` : ''}
    </Text>
  );
}

export function spinnerFrame(tick: number): string {
  return FRAMES[tick % FRAMES.length]!;
}
