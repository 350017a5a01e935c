declare module '*.yaml' {
  const text: string;
  export default text;
}
declare module '*.asc' {
  const text: string;
  export default text;
}
