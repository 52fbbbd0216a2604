import { InMemoryFs } from "just-bash";
import { describe, expect, it } from "vitest";
import { Pipe, readAll, sourceOf, type ByteSink, type ByteSource } from "../io.js";
import { runInteractive, runScript } from "./interpreter.js";
import { runShellCommand } from "./invoke.js";
import { readerFor } from "./reader.js";
import type { ExternalCommand, ExternalRunner, ShellOptions } from "./types.js";

const dec = new TextDecoder();

/** A few programs for exercising the shell; `events` records what happened when. */
function testRunner(fs: InMemoryFs, events: string[]): ExternalRunner {
  return async (cmd: ExternalCommand): Promise<number> => {
    const [name, ...args] = cmd.argv;
    switch (name) {
      case "cat": {
        if (args.length) {
          for (const f of args) await cmd.stdout.write(await fs.readFileBuffer(fs.resolvePath(cmd.cwd, f)));
          return 0;
        }
        for (let c = await cmd.stdin.read(); c !== null; c = await cmd.stdin.read()) await cmd.stdout.write(c);
        return 0;
      }
      case "sleep": {
        const ms = Number(args[0]) * 1000;
        events.push(`sleep ${args[0]} start`);
        const ok = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(true), ms);
          cmd.signal.addEventListener("abort", () => {
            clearTimeout(t);
            resolve(false);
          });
        });
        events.push(`sleep ${args[0]} end`);
        return ok ? 0 : 143;
      }
      case "seq": {
        const [a, b] = args.length > 1 ? [Number(args[0]), Number(args[1])] : [1, Number(args[0])];
        for (let i = a; i <= b; i++) await cmd.stdout.write(`${i}\n`);
        return 0;
      }
      case "head": {
        const n = args[0] === "-n" ? Number(args[1]) : 10;
        const r = readerFor(cmd.stdin);
        for (let i = 0; i < n; i++) {
          const { data, found } = await r.readUntil(0x0a);
          if (!found && data.length === 0) break;
          await cmd.stdout.write(dec.decode(data) + "\n");
        }
        return 0;
      }
      case "yes": {
        let i = 0;
        while (!cmd.signal.aborted) {
          await cmd.stdout.write((args[0] ?? "y") + "\n");
          if (++i % 50 === 0) await new Promise((r) => setImmediate(r));
        }
        return 141;
      }
      case "wc": {
        const text = dec.decode(await readAll(cmd.stdin));
        await cmd.stdout.write(`${text.split("\n").length - 1}\n`);
        return 0;
      }
      case "printenv": {
        const v = cmd.env[args[0]];
        if (v === undefined) return 1;
        await cmd.stdout.write(v + "\n");
        return 0;
      }
      case "argv":
        await cmd.stdout.write(args.map((a) => `<${a}>`).join("") + "\n");
        return 0;
      case "where":
        await cmd.stdout.write(cmd.cwd + "\n");
        return 0;
      case "mark":
        events.push(`mark ${args.join(" ")}`);
        return 0;
      case "fail":
        return Number(args[0] ?? 1);
      default:
        await cmd.stderr.write(`sh: ${name}: not found\n`);
        return 127;
    }
  };
}

class Collector implements ByteSink {
  chunks: string[] = [];
  constructor(
    private readonly events: string[],
    private readonly label: string,
  ) {}
  async write(d: Uint8Array | string): Promise<void> {
    const s = typeof d === "string" ? d : dec.decode(d);
    if (s === "") return;
    this.chunks.push(s);
    this.events.push(`${this.label}: ${s}`);
  }
  get text(): string {
    return this.chunks.join("");
  }
}

interface RunOpts {
  stdin?: string | ByteSource;
  env?: Record<string, string>;
  args?: string[];
  cwd?: string;
  files?: Record<string, string>;
  fs?: InMemoryFs;
  signal?: AbortSignal;
  options?: ShellOptions["options"];
}

function setup(o: RunOpts = {}) {
  const fs = o.fs ?? new InMemoryFs(o.files);
  const events: string[] = [];
  const stdout = new Collector(events, "out");
  const stderr = new Collector(events, "err");
  const options: ShellOptions = {
    fs,
    env: { PATH: "/usr/bin:/bin", HOME: "/root", ...o.env },
    cwd: o.cwd ?? "/",
    name: "sh",
    args: o.args ?? [],
    signal: o.signal ?? new AbortController().signal,
    external: testRunner(fs, events),
    stdin: typeof o.stdin === "string" ? sourceOf(o.stdin) : (o.stdin ?? sourceOf("")),
    stdout,
    stderr,
    options: o.options,
  };
  return { fs, events, stdout, stderr, options };
}

async function sh(script: string, o: RunOpts = {}) {
  const s = setup(o);
  const status = await runScript(script, s.options);
  return { status, out: s.stdout.text, err: s.stderr.text, events: s.events, fs: s.fs };
}

async function out(script: string, o: RunOpts = {}): Promise<string> {
  const r = await sh(script, o);
  return r.out;
}

describe("simple commands and lists", () => {
  it("runs builtins and externals", async () => {
    expect(await out("echo hello world; argv a 'b c'")).toBe("hello world\n<a><b c>\n");
  });
  it("propagates exit status and 127", async () => {
    const r = await sh("nosuch");
    expect(r.status).toBe(127);
    expect(r.err).toContain("nosuch: not found");
    expect((await sh("exit 3")).status).toBe(3);
    expect((await sh("false")).status).toBe(1);
    expect((await sh("fail 7; echo $?")).out).toBe("7\n");
  });
  it("handles && || ! and ;", async () => {
    expect(await out("true && echo a || echo b; false && echo c || echo d; ! false && echo e")).toBe("a\nd\ne\n");
    expect(await out("false || false || echo x")).toBe("x\n");
  });
});

describe("streaming", () => {
  it("delivers a write before a sleep to the sink before the sleep starts", async () => {
    const r = await sh("echo before; sleep 0.02; echo after");
    expect(r.events).toEqual(["out: before\n", "sleep 0.02 start", "sleep 0.02 end", "out: after\n"]);
  });
  it("output reaches the sink while the script is still running", async () => {
    const s = setup();
    let resolved = false;
    const done = runScript("echo first; sleep 0.05; echo second", s.options).then((v) => {
      resolved = true;
      return v;
    });
    while (!s.events.includes("sleep 0.05 start")) await new Promise((r) => setTimeout(r, 1));
    expect(s.stdout.text).toBe("first\n");
    expect(resolved).toBe(false);
    expect(await done).toBe(0);
  });
  it("runs pipeline stages concurrently", async () => {
    const r = await sh('{ echo one; sleep 0.03; echo two; } | while read l; do echo "got $l"; done');
    expect(r.out).toBe("got one\ngot two\n");
    expect(r.events.indexOf("out: got one\n")).toBeLessThan(r.events.indexOf("sleep 0.03 end"));
  });
  it("stops a producer whose reader has gone (SIGPIPE)", async () => {
    const r = await sh("set -o pipefail; yes | head -n 2; echo status=$?");
    expect(r.out).toBe("y\ny\nstatus=141\n");
    expect(await out("yes abc | head -n 1")).toBe("abc\n");
  });
  it("exit status of a pipeline is the last stage's, pipefail and PIPESTATUS", async () => {
    expect((await sh("fail 3 | true")).status).toBe(0);
    expect((await sh("set -o pipefail; fail 3 | true")).status).toBe(3);
    expect(await out("fail 3 | fail 4 | true; echo ${PIPESTATUS[@]}")).toBe("3 4 0\n");
    expect(await out("seq 3 | wc")).toBe("3\n");
  });
});

describe("expansions", () => {
  it("parameter expansion forms", async () => {
    const script = [
      "x=hello.tar.gz; e=; unset u",
      'echo "${x} ${u:-d1} ${e:-d2} ${e-d3} ${u=set} $u ${x:+alt} ${u:+alt2} ${#x}"',
      'echo "${x#*.} ${x##*.} ${x%.*} ${x%%.*}"',
      'echo "${x/l/L} ${x//l/L} ${x/#h/H} ${x/%gz/xz} ${x:1:3} ${x: -2} ${x:6}"',
      'y=MiXeD; echo "${y^^} ${y,,} ${y^} ${y,}"',
    ].join("\n");
    expect(await out(script)).toBe("hello.tar.gz d1 d2  set set alt alt2 12\ntar.gz gz hello.tar hello\nheLlo.tar.gz heLLo.tar.gz Hello.tar.gz hello.tar.xz ell gz tar.gz\nMIXED mixed MiXeD miXeD\n");
  });
  it("${x:?msg} aborts the shell", async () => {
    const r = await sh('echo a; : ${nope:?is required}; echo b');
    expect(r.out).toBe("a\n");
    expect(r.err).toContain("nope: is required");
    expect(r.status).toBe(127);
  });
  it("special parameters and positional arguments", async () => {
    expect(await out('echo "$0 $1 $2 $# $*"; shift; echo "$1 $#"; set -- x y z; echo "$@" $#', { args: ["a", "b"] })).toBe("sh a b 2 a b\nb 1\nx y z 3\n");
    expect(await out('for a in "$@"; do echo "[$a]"; done', { args: ["a b", "", "c"] })).toBe("[a b]\n[]\n[c]\n");
    expect(await out('for a in $@; do echo "[$a]"; done', { args: ["a b", "", "c"] })).toBe("[a]\n[b]\n[c]\n");
    expect(await out('argv "x$@y"; argv "$*"; IFS=,; argv "$*"', { args: ["1", "2"] })).toBe("<x1><2y>\n<1 2>\n<1,2>\n");
    expect(await out('argv "$@"; argv "a$@"', { args: [] })).toBe("\n<a>\n");
    expect(await out("false; echo $?; echo $$ | grep -c . >/dev/null; true; echo $?")).toBe("1\n0\n");
  });
  it("command substitution and backticks", async () => {
    expect(await out('x=$(echo "a  b"; echo); echo "[$x]" `echo c` $(echo d e)')).toBe("[a  b] c d e\n");
    expect(await out("x=$(false); echo $?; y=$(echo in; exit 4); echo $? $y")).toBe("1\n4 in\n");
    expect(await out('echo "$(echo "$(echo nested)")"')).toBe("nested\n");
  });
  it("arithmetic", async () => {
    expect(await out("x=5; echo $((x * 2 + 1)) $((x / 2)) $((x % 3)) $((2 ** 10)) $((x > 3 ? 1 : 0)) $((x++)) $x $((++x)) $((x += 10)) $x")).toBe("11 2 2 1024 1 5 6 7 17 17\n");
    expect(await out("(( 3 > 2 )) && echo yes; (( 0 )) || echo no; i=0; ((i++)); echo $i; echo $(( 0x10 + 010 + 2#11 )) $(( -7 / 2 )) $(( 1 << 4 )) $(( 6 & 3 )) $(( !0 && 1 ))")).toBe("yes\nno\n1\n27 -3 16 2 1\n");
    expect(await out("a=3; b=a+1; echo $((b * 2)); echo $(( $a + ${a} ))")).toBe("8\n6\n");
  });
  it("tilde, braces, and globs", async () => {
    const files = { "/d/a.txt": "", "/d/b.txt": "", "/d/c.md": "", "/d/.h.txt": "" };
    expect(await out("echo ~ ~/x", { env: { HOME: "/home/u" } })).toBe("/home/u /home/u/x\n");
    expect(await out("echo a{b,c}d {1..3} {a..c} {3..1} {01..03} x{1..5..2}")).toBe("abd acd 1 2 3 a b c 3 2 1 01 02 03 x1 x3 x5\n");
    expect(await out("cd /d; echo *.txt; echo /d/*.md; echo ?.md; echo [ab].*; echo *.none; echo '*.txt' \"*\"", { files })).toBe("a.txt b.txt\n/d/c.md\nc.md\na.txt b.txt\n*.none\n*.txt *\n");
    expect(await out("set -f; cd /d; echo *.txt", { files })).toBe("*.txt\n");
  });
  it("field splitting on IFS", async () => {
    expect(await out('x="a  b   c"; argv $x; argv "$x"; IFS=:; y="1:2::3"; argv $y; IFS=" :"; z=" a : b "; argv $z')).toBe("<a><b><c>\n<a  b   c>\n<1><2><><3>\n<a><b>\n");
    expect(await out('e=""; argv $e "$e" ${e:-} x')).toBe("<><x>\n");
  });
  it("ANSI-C quoting and escapes", async () => {
    expect(await out("echo $'a\\tb'; echo 'single $x' \"dq \\$x \\\\\" a\\ b")).toBe("a\tb\nsingle $x dq $x \\ a b\n");
  });
  it("arrays", async () => {
    expect(await out('a=(1 "2 3" 4); echo ${a[0]} ${#a[@]}; argv "${a[@]}"; a[5]=x; a+=(y); echo ${#a[@]} ${a[-1]}; argv "${a[*]}"; echo ${!a[@]}')).toBe("1 3\n<1><2 3><4>\n5 y\n<1 2 3 4 x y>\n0 1 2 5 6\n");
  });
});

describe("control flow", () => {
  it("if/elif/else", async () => {
    expect(await out("x=2; if [ $x = 1 ]; then echo one; elif [ $x = 2 ]; then echo two; else echo other; fi")).toBe("two\n");
    expect(await out("if false; then echo a; fi; echo $?")).toBe("0\n");
  });
  it("while, until, for, C-style for, break and continue", async () => {
    expect(await out("i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done")).toBe("0\n1\n2\n");
    expect(await out("i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i")).toBe("2\n");
    expect(await out("for x in a b c; do echo $x; done; for ((i=0; i<3; i++)); do echo -n $i; done; echo")).toBe("a\nb\nc\n012\n");
    expect(await out("for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done")).toBe("1\n3\n");
    expect(await out("for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; [ $i = 2 ] && break 2; echo $i$j; done; done; echo end")).toBe("1a\nend\n");
    expect(await out("set -- p q; for a; do echo $a; done")).toBe("p\nq\n");
  });
  it("case with patterns and alternatives", async () => {
    const script = 'for f in a.txt b.md c "d e" Z; do case $f in *.txt) echo text;; *.md|*.rst) echo doc;; [a-c]) echo letter;; "d e") echo quoted;; *) echo other;; esac; done';
    expect(await out(script)).toBe("text\ndoc\nletter\nquoted\nother\n");
    expect(await out("case x in y) echo no;; esac; echo $?")).toBe("0\n");
    expect(await out("case a in a) echo 1;& b) echo 2;; c) echo 3;; esac")).toBe("1\n2\n");
  });
  it("functions, locals, return and positional parameters", async () => {
    const script = `
greet() { local name=$1; echo "hi $name ($#)"; x=global; return 3; }
function other { echo "other $@"; }
x=before; name=outer
greet bob extra; echo "status $? $x $name"
other 1 2
count() { local i=0; while true; do i=$((i+1)); [ $i -ge 3 ] && return $i; done; }
count; echo $?
rec() { if [ $1 -gt 0 ]; then echo $1; rec $(($1 - 1)); fi; }
rec 2
`;
    expect(await out(script)).toBe("hi bob (2)\nstatus 3 global outer\nother 1 2\n3\n2\n1\n");
  });
  it("subshells are isolated and exit only themselves", async () => {
    expect(await out("x=1; (x=2; cd /tmp 2>/dev/null; echo in $x; exit 5); echo $? $x; pwd")).toBe("in 2\n5 1\n/\n");
    expect(await out("x=1; { x=2; }; echo $x")).toBe("2\n");
    expect(await out("echo a | read v; echo \"[$v]\"")).toBe("[]\n");
  });
  it("background jobs, wait and $!", async () => {
    const r = await sh("{ sleep 0.02; echo bg; } & pid=$!; echo fg; wait $pid; echo waited $?");
    expect(r.out).toBe("fg\nbg\nwaited 0\n");
    expect(await out("fail 3 & wait $!; echo $?")).toBe("3\n");
    expect(await out("sleep 0.01 & sleep 0.01 & wait; echo all")).toBe("all\n");
  });
  it("eval and source", async () => {
    const files = { "/lib.sh": 'libvar=loaded; libfn() { echo "fn $1"; }\nreturn 0\necho never' };
    expect(await out("cmd='echo evaluated; y=2'; eval \"$cmd\"; echo $y; . /lib.sh; echo $libvar; libfn z; source lib.sh a", { files })).toBe("evaluated\n2\nloaded\nfn z\n");
  });
});

describe("redirections", () => {
  it("writes, appends and reads files relative to cwd", async () => {
    const r = await sh("mkdir_ok=1; cd /w; echo one > f; echo two >> f; cat < f; cat f > g; echo $(cat g)", { files: { "/w/.keep": "" } });
    expect(r.out).toBe("one\ntwo\none two\n");
    expect(await r.fs.readFile("/w/f")).toBe("one\ntwo\n");
  });
  it("stderr, dups and /dev files", async () => {
    const r = await sh("echo err >&2; echo both 2>&1; nosuch 2>/dev/null; echo x > /dev/null; echo y >/dev/stderr; { echo o; echo e >&2; } 2>&1 >/dev/null");
    expect(r.out).toBe("both\ne\n");
    expect(r.err).toBe("err\ny\n");
    const f = await sh("{ echo o; echo e >&2; } &> /all; echo more &>> /all; cat /all; nosuch 2> /e; cat /e");
    expect(f.out).toBe("o\ne\nmore\nsh: nosuch: not found\n");
  });
  it("n>file and exec redirections", async () => {
    const r = await sh("exec 3>/log; echo to3 >&3; echo again >&3; cat /log; exec >/out; echo hidden; exec 2>&1");
    expect(r.out).toBe("to3\nagain\n");
    expect(await r.fs.readFile("/out")).toBe("hidden\n");
  });
  it("here-documents and here-strings", async () => {
    const script = "x=val\ncat <<EOF\nline $x $(echo sub)\n\\$x\nEOF\ncat <<'EOF'\nraw $x\nEOF\ncat <<-EOF\n\tindented\n\tEOF\ncat <<< \"here $x\"\n";
    expect(await out(script)).toBe("line val sub\n$x\nraw $x\nindented\nhere val\n");
  });
  it("reports missing input files and directories", async () => {
    const r = await sh("cat < /missing; echo $?; echo x > /nodir/f; echo $?");
    expect(r.out).toBe("1\n1\n");
    expect(r.err).toContain("/missing: No such file or directory");
  });
  it("redirects compound commands and functions", async () => {
    const r = await sh("for i in 1 2; do echo $i; done > /loop; f() { echo inf; } ; f > /fn; if true; then echo ifout; fi >> /loop; cat /loop /fn");
    expect(r.out).toBe("1\n2\nifout\ninf\n");
  });
});

describe("read", () => {
  it("reads lines from files and pipes, sharing the buffer", async () => {
    const files = { "/in": "a b c\nsecond line\n  third  \nlast" };
    expect(await out('while read -r x y; do echo "[$x][$y]"; done < /in', { files })).toBe("[a][b c]\n[second][line]\n[third][]\n");
    expect(await out('while IFS= read -r l; do echo "[$l]"; done < /in', { files })).toBe("[a b c]\n[second line]\n[  third  ]\n");
    expect(await out('{ read first; cat; } < /in', { files })).toBe("second line\n  third  \nlast");
    expect(await out('seq 3 | while read n; do echo "n=$n"; done')).toBe("n=1\nn=2\nn=3\n");
  });
  it("supports -a, -p, REPLY, -d, backslashes and EOF status", async () => {
    expect(await out('read -a arr <<< "x y z"; echo ${arr[1]} ${#arr[@]}; read <<< "  raw  "; echo "[$REPLY]"; read -d , a <<< "p,q"; echo $a')).toBe("y 3\n[  raw  ]\np\n");
    expect(await out('read a <<< "a\\ b\\\\c"; echo "$a"; read -r a <<< "a\\ b"; echo "$a"')).toBe("a bc\na\\ b\n");
    expect(await out("read x < /dev/null; echo $?; printf 'no newline' | { read y; echo $? $y; }")).toBe("1\n1 no newline\n");
    expect(await out('echo "1:2:3" | { IFS=: read a b c; echo $b; }')).toBe("2\n");
  });
  it("reads from the script's stdin", async () => {
    expect(await out("read a; read b; echo $b $a", { stdin: "one\ntwo\n" })).toBe("two one\n");
  });
});

describe("builtins", () => {
  it("echo and printf", async () => {
    expect(await out("echo -n a; echo -e 'b\\tc'; echo -e 'x\\cy'; echo; echo '\\n'")).toBe("ab\tc\nx\n\\n\n");
    expect(await out("printf '%s-%d|%5s|%-5s|%03d|%x|%o|%c|%%|%.2f|%b\\n' str 42 r l 7 255 8 abc 3.14159 'a\\tb'")).toBe("str-42|    r|l    |007|ff|10|a|%|3.14|a\tb\n");
    expect(await out("printf '%s\\n' a b c; printf '[%s=%s]' k1 v1 k2; echo; printf 'plain\\n'; printf '%q\\n' \"a b\"")).toBe("a\nb\nc\n[k1=v1][k2=]\nplain\n'a b'\n");
    expect(await out("printf -v v '%05.1f' 3.14159; echo $v; printf '%d\\n' \"'A\" 0x1f")).toBe("003.1\n65\n31\n");
  });
  it("cd, pwd, PWD and OLDPWD", async () => {
    const files = { "/a/b/f": "x" };
    const r = await sh("cd /a; pwd; cd b; echo $PWD $OLDPWD; where; cd ..; pwd; cd -; cd /nope; echo $?; cd /a/b/f; echo $?", { files });
    expect(r.out).toBe("/a\n/a/b /a\n/a/b\n/a\n/a/b\n1\n1\n");
    expect(r.err).toContain("cd: /nope: No such file or directory");
    expect(r.err).toContain("Not a directory");
  });
  it("export, env of externals, prefix assignments, unset, readonly", async () => {
    expect(await out("A=1; printenv A || echo unset; export A; printenv A; B=2 printenv B; echo ${B-none}; export C=3 D; printenv C")).toBe("unset\n1\n2\nnone\n3\n");
    expect(await out("x=1; unset x; echo ${x-gone}; f() { echo f; }; unset -f f; type f >/dev/null 2>&1 || echo nofn")).toBe("gone\nnofn\n");
    const r = await sh("readonly R=1; R=2; echo $R");
    expect(r.err).toContain("R: readonly variable");
    expect(await out("f() { echo \"$V\"; }; V=tmp f; echo \"[$V]\"")).toBe("tmp\n[]\n");
    expect(await out("x='a b'; export Y=$x; printenv Y")).toBe("a b\n");
  });
  it("test and [ with strings, numbers, files, -a/-o and !", async () => {
    const files = { "/f": "data", "/empty": "", "/d/x": "" };
    const script = [
      '[ -f /f ] && echo f; [ -d /d ] && echo d; [ -e /nope ] || echo nope; [ -s /f ] && echo s; [ -s /empty ] || echo empty',
      '[ abc = abc ] && echo eq; [ a != b ] && echo ne; [ -z "" ] && echo z; [ -n x ] && echo n; [ 10 -gt 9 ] && echo gt',
      "[ 1 -eq 1 -a 2 -lt 1 ] || echo and; [ 1 -eq 2 -o 2 -ge 2 ] && echo or; [ ! -f /d ] && echo not; test \\( 1 = 1 \\) && echo paren",
      "[ x ] && echo one; [ ] || echo zero; [ a -lt 2 ]; echo $?",
    ].join("\n");
    const r = await sh(script, { files });
    expect(r.out).toBe("f\nd\nnope\ns\nempty\neq\nne\nz\nn\ngt\nand\nor\nnot\nparen\none\nzero\n2\n");
    expect(r.err).toContain("integer expression expected");
  });
  it("[[ ]] conditionals", async () => {
    const files = { "/f": "x" };
    const script = [
      'x=hello; [[ $x == h* ]] && echo glob; [[ $x == "h*" ]] || echo quoted; [[ $x != z* && -f /f ]] && echo and',
      '[[ -n $x && $x =~ ^h(el+)o$ ]] && echo "re ${BASH_REMATCH[1]}"; [[ ! -d /f ]] && echo notdir; [[ 10 -lt 9 ]] || echo numeric',
      '[[ a < b ]] && echo lt; [[ -n $x ]] && echo nonempty; y="a b"; [[ $y == "a b" ]] && echo nosplit',
    ].join("\n");
    expect(await out(script, { files })).toBe("glob\nquoted\nand\nre ell\nnotdir\nnumeric\nlt\nnonempty\nnosplit\n");
  });
  it("type and command -v", async () => {
    const files = { "/usr/bin/ls": "" };
    const r = await sh("f() { :; }; command -v echo f ls; command -v nosuch || echo missing; type f echo ls; type -t if; command echo direct", { files });
    expect(r.out).toBe("echo\nf\n/usr/bin/ls\nmissing\nf is a function\necho is a shell builtin\nls is /usr/bin/ls\nkeyword\ndirect\n");
  });
  it("trap EXIT runs at exit, also after exit and set -e", async () => {
    expect(await out("trap 'echo cleanup $?' EXIT; echo body")).toBe("body\ncleanup 0\n");
    const r = await sh("trap 'echo bye' EXIT; exit 4");
    expect(r.out).toBe("bye\n");
    expect(r.status).toBe(4);
    const e = await sh("set -e; trap 'echo trapped $?' EXIT; false; echo no");
    expect(e.out).toBe("trapped 1\n");
    expect(e.status).toBe(1);
    expect(await out("trap 'echo t' INT TERM; trap -p INT; trap - INT; trap")).toBe("trap -- 'echo t' INT\ntrap -- 'echo t' TERM\n");
    expect(await out("(trap 'echo sub' EXIT; echo in); echo out")).toBe("in\nsub\nout\n");
  });
  it("exec with a command ends the shell with its status", async () => {
    const r = await sh("exec fail 6; echo never");
    expect(r.status).toBe(6);
    expect(r.out).toBe("");
  });
  it("getopts, shift, set --, let, umask", async () => {
    const script = 'while getopts "ab:c" o; do case $o in a) echo A;; b) echo "B=$OPTARG";; c) echo C;; ?) echo bad;; esac; done; shift $((OPTIND-1)); echo "rest $@"';
    expect(await out(script, { args: ["-a", "-b", "val", "-ac", "x", "y"] })).toBe("A\nB=val\nA\nC\nrest x y\n");
    expect(await out("let 'x = 2 * 3'; echo $x; umask")).toBe("6\n0022\n");
  });
  it("mapfile reads lines into an array", async () => {
    expect(await out('mapfile -t lines <<< "$(seq 3)"; echo ${#lines[@]} ${lines[2]}')).toBe("3 3\n");
  });
});

describe("shell options", () => {
  it("set -e stops at a failing command but not in conditions", async () => {
    const r = await sh("set -e; if false; then :; fi; false || true; false && true; ! true; while false; do :; done; echo alive; fail 5; echo dead");
    expect(r.out).toBe("alive\n");
    expect(r.status).toBe(5);
    expect((await sh("set -e; f() { false; echo in-f; }; f || echo handled; echo next")).out).toBe("in-f\nnext\n");
    expect((await sh("set -e; x=$(fail 3); echo no")).status).toBe(3);
    expect((await sh("set -e; (exit 2); echo no")).status).toBe(2);
    expect((await sh("set -e; { false; echo no; }")).status).toBe(1);
    expect((await sh("set -e; [[ a == b ]]; echo no")).status).toBe(1);
  });
  it("set -o pipefail with set -e", async () => {
    const r = await sh("set -eo pipefail; fail 2 | cat; echo no");
    expect(r.status).toBe(2);
    expect(r.out).toBe("");
  });
  it("set -u reports unset variables and exits", async () => {
    const r = await sh("set -u; echo ${x:-ok} ${#@}; echo $nope; echo after");
    expect(r.out).toBe("ok 0\n");
    expect(r.err).toContain("nope: unbound variable");
    expect(r.status).toBe(127);
    expect(await out('x=$(set -u; echo $nope); echo "after $?"')).toBe("after 1\n");
  });
  it("set -x traces commands to stderr", async () => {
    const r = await sh("set -x; x=1; echo \"a b\" $x");
    expect(r.err).toBe("+ x=1\n+ echo 'a b' 1\n");
    expect(r.out).toBe("a b 1\n");
  });
  it("takes options from ShellOptions", async () => {
    expect((await sh("false; echo no", { options: { errexit: true } })).status).toBe(1);
  });
  it("syntax errors give status 2", async () => {
    const r = await sh("echo a; if; fi");
    expect(r.status).toBe(2);
    expect(r.err).toContain("syntax error");
  });
});

describe("cancellation", () => {
  it("abort ends a busy loop", async () => {
    const ctl = new AbortController();
    const s = setup({ signal: ctl.signal });
    const done = runScript("while true; do :; done", s.options);
    setTimeout(() => ctl.abort("SIGTERM"), 20);
    expect(await done).toBe(143);
  });
  it("a trapped signal ends any wait at once and runs its trap", async () => {
    for (const waiting of ["wait", "wait -n", "wait $!"]) {
      const s = setup();
      let deliver: ((signal: string) => boolean) | undefined;
      s.options.signals = (d) => (deliver = d);
      const done = runScript(`trap 'echo trapped $?; kill $!; exit 7' TERM; sleep 10 & echo ready; ${waiting}; echo never`, s.options);
      while (s.stdout.text !== "ready\n") await new Promise((r) => setTimeout(r, 5));
      expect(deliver!("SIGTERM")).toBe(true);
      expect(await done).toBe(7);
      expect(s.stdout.text).toBe("ready\ntrapped 143\n");
    }
  });
  it("abort stops a running external and maps signals", async () => {
    const ctl = new AbortController();
    const s = setup({ signal: ctl.signal });
    const done = runScript("echo start; sleep 10; echo never", s.options);
    setTimeout(() => ctl.abort("SIGKILL"), 10);
    expect(await done).toBe(137);
    expect(s.stdout.text).toBe("start\n");
  });
  it("abort ends a busy pipeline", async () => {
    const ctl = new AbortController();
    const s = setup({ signal: ctl.signal });
    const done = runScript("while :; do echo x; done | while read l; do :; done", s.options);
    setTimeout(() => ctl.abort("SIGINT"), 20);
    expect(await done).toBe(130);
  });
});

describe("invocation", () => {
  function inv(argv: string[], o: RunOpts = {}) {
    const s = setup(o);
    return runShellCommand(argv, s.options).then((status) => ({ status, out: s.stdout.text, err: s.stderr.text }));
  }
  it("sh -c with name and arguments", async () => {
    const r = await inv(["sh", "-c", 'echo "$0:$1:$2:$#"', "prog", "a", "b c"]);
    expect(r.out).toBe("prog:a:b c:2\n");
    expect((await inv(["sh", "-c", "exit 9"])).status).toBe(9);
    expect((await inv(["sh", "-c", "test -f /x"], { files: { "/x": "" } })).status).toBe(0);
    expect((await inv(["sh", "-c"])).status).toBe(2);
  });
  it("bash --noprofile --norc -eo pipefail script.sh", async () => {
    const files = { "/w/s.sh": "#!/bin/bash\necho \"$0 $1\"\nfail 3 | cat\necho unreachable\n" };
    const r = await inv(["bash", "--noprofile", "--norc", "-eo", "pipefail", "s.sh", "arg"], { files, cwd: "/w" });
    expect(r.out).toBe("s.sh arg\n");
    expect(r.status).toBe(3);
    expect((await inv(["sh", "/missing.sh"])).status).toBe(127);
  });
  it("sh -e -x, -s and unknown options", async () => {
    const r = await inv(["sh", "-e", "-x", "-c", "echo a; false; echo b"]);
    expect(r.out).toBe("a\n");
    expect(r.err).toBe("+ echo a\n+ false\n");
    expect((await inv(["sh", "-s", "x", "y"], { stdin: 'echo "$1$2"\n' })).out).toBe("xy\n");
    const bad = await inv(["sh", "-Z"]);
    expect(bad.status).toBe(2);
    expect(bad.err).toContain("invalid option");
  });
});

describe("interactive input", () => {
  it("runs each command as soon as its line arrives", async () => {
    const input = new Pipe();
    const s = setup({ stdin: input });
    const done = runInteractive(s.options);
    await input.write("echo one\n");
    while (!s.stdout.text.includes("one")) await new Promise((r) => setTimeout(r, 1));
    await input.write("if true; then\n");
    await input.write("  echo two\n");
    await new Promise((r) => setTimeout(r, 5));
    expect(s.stdout.text).toBe("one\n");
    await input.write("fi\ncat <<EOF\nhd\n");
    while (!s.stdout.text.includes("two")) await new Promise((r) => setTimeout(r, 1));
    expect(s.stdout.text).toBe("one\ntwo\n");
    await input.write("EOF\nexit 3\necho never\n");
    expect(await done).toBe(3);
    expect(s.stdout.text).toBe("one\ntwo\nhd\n");
  });
  it("reads piped scripts, continuation lines and the last line without newline", async () => {
    const s = setup({ stdin: "x=1\necho a &&\necho b \\\n  c\nprintf '%s\\n' \"$x\"" });
    expect(await runInteractive(s.options)).toBe(0);
    expect(s.stdout.text).toBe("a\nb c\n1\n");
  });
  it("reports syntax errors and an unfinished command", async () => {
    const s = setup({ stdin: "echo ok\nif true; then\n" });
    expect(await runInteractive(s.options)).toBe(2);
    expect(s.stdout.text).toBe("ok\n");
    expect(s.stderr.text).toContain("unexpected end of file");
  });
});

describe("CI-style scripts", () => {
  it("runs a gitlab-runner style script", async () => {
    const script = [
      "set -eo pipefail",
      "set +o noclobber",
      ": | eval 'echo piped-eval'",
      "eval $'export CI_JOB=build\\nexport GREETING=\"hello world\"\\necho \"$GREETING\" from $CI_JOB\\n'",
      "trap 'echo \"exit trap $?\"' EXIT",
      "log() { printf '\\033[32;1m%s\\033[0;m\\n' \"$*\"; }",
      'if [[ -n "${CI_JOB:-}" ]]; then',
      '  log "Running on $CI_JOB"',
      "fi",
      'mkdir_fn() { for d in "$@"; do echo "mk $d"; done; }',
      "mkdir_fn a b",
      "cat > /tmp_script <<'END'",
      'echo "inner $1"',
      "END",
      ". /tmp_script arg",
    ].join("\n");
    const r = await sh(script, { files: { "/.keep": "" } });
    expect(r.out).toBe("piped-eval\nhello world from build\n\x1b[32;1mRunning on build\x1b[0;m\nmk a\nmk b\ninner arg\nexit trap 0\n");
    expect(r.status).toBe(0);
  });
});

describe("bash extras", () => {
  it("$(<file), <(cmd) and ERR traps", async () => {
    const files = { "/v": "1.2.3\n" };
    expect(await out('v=$(</v); echo "[$v]"; while read n; do echo "n$n"; done < <(seq 2); source <(echo "echo sourced")', { files })).toBe("[1.2.3]\nn1\nn2\nsourced\n");
    const r = await sh("set -e; trap 'echo err at $LINENO' ERR; true\nfail 2\necho no");
    expect(r.out).toBe("err at 2\n");
    expect(r.status).toBe(2);
  });
  it("FUNCNAME, time and assignments to arrays", async () => {
    expect(await out("f() { echo $FUNCNAME ${FUNCNAME[1]}; }; g() { f; }; g; a=(1 2); a+=3; a=x; echo ${a[@]}")).toBe("f g\nx 2\n");
    const r = await sh("time echo t");
    expect(r.out).toBe("t\n");
    expect(r.err).toContain("real");
  });
});

describe("jobs and shell options", () => {
  it("kill stops a background job of the shell", async () => {
    const r = await sh("sleep 5 & pid=$!; kill $pid; wait $pid; echo status $?");
    expect(r.out).toBe("status 143\n");
    expect(await out("sleep 5 & kill -9 %1 2>/dev/null; kill -KILL $!; wait $!; echo $?")).toBe("137\n");
  });
  it("shopt nullglob and dotglob", async () => {
    const files = { "/d/.hidden": "", "/d/shown": "" };
    expect(await out("cd /d; for f in *.none; do echo got $f; done; shopt -s nullglob; for f in *.none; do echo got $f; done; shopt -s dotglob; echo *; shopt -q nullglob && echo on", { files })).toBe("got *.none\n.hidden shown\non\n");
  });
});
