// What the kubelet does to a container's command, args and env values before running them: $(VAR)
// becomes the value of an env var defined earlier, $$ becomes $, a reference to an unknown variable
// stays as written (k8s.io/kubernetes third_party/forked/golang/expansion). Tests run the exported
// scripts through it, to run exactly what a pod would.
export function kubeletExpand(input: string, env: Readonly<Record<string, string>> = {}): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += '$(';
        i++;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += env[name] ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}
