// The two entry points of React's scheduler that paced-stdin uses (the package ships no types).
declare module 'scheduler' {
  export const unstable_IdlePriority: number;
  export function unstable_scheduleCallback(priority: number, callback: () => void): unknown;
}
