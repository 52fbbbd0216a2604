import type { CliScenario } from "./scenario.js";
import { buildScenarios } from "./build-scenarios.js";

const IMG = "sockerless-test/busybox";
const WASI = "sockerless-test/wasi";
/** Runs until SIGTERM ends it, so a backend that can only stop containers (SIGTERM, then SIGKILL after a grace period) removes it at once. */
const STOPPABLE = ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"];

/** docker CLI scenarios of the sandbox backend, compared with the reference engine. */
export const sandboxScenarios: CliScenario[] = [
  { name: "run --rm echo", steps: [{ args: ["run", "--rm", IMG, "echo", "hi"] }] },
  {
    name: "the image's real files",
    steps: [
      { args: ["run", "--rm", IMG, "sh", "-c", "ls / && cat /etc/passwd | wc -l"] },
      { args: ["run", "--rm", IMG, "sh", "-c", "mkdir -p /x/d && touch /x/f && chmod +x /x/f && ln -s f /x/l && ln -s d /x/ld && ls -p /x && ls -F /x && ls -1pa /x && ls -la /x | grep -c /; true"] },
      { args: ["run", "--rm", IMG, "test", "-d", "/tmp"] },
      { args: ["run", "--rm", IMG, "[", "1", "=", "2", "]"] },
      { args: ["run", "--rm", IMG, "false"] },
    ],
  },
  { name: "a failing command's exit code", needs: ["stderr"], steps: [{ args: ["run", "--rm", IMG, "sh", "-c", "echo out; echo err >&2; exit 3"], compare: ["stdout", "stderr", "exit"] }] },
  { name: "the image's default command", needs: ["attach"], steps: [{ args: ["run", "--rm", "-i", IMG], stdin: "echo from stdin script\nexit 4\n", compare: ["stdout", "exit"] }] },
  { name: "piped stdin", needs: ["attach"], steps: [{ args: ["run", "--rm", "-i", IMG, "cat"], stdin: "hello\nworld\n" }] },
  {
    name: "a read loop over piped stdin",
    needs: ["attach"],
    steps: [{ args: ["run", "--rm", "-i", IMG, "sh", "-c", 'while read l; do echo "got $l"; done; echo done'], stdin: "a\nb\n" }],
  },
  { name: "a missing executable", steps: [{ args: ["run", "--rm", IMG, "nope"], compare: ["exit"] }] },
  { name: "a missing executable in a shell", steps: [{ args: ["run", "--rm", IMG, "sh", "-c", "nope; echo $?"], compare: ["exit"] }] },
  {
    name: "entrypoint, env and workdir",
    steps: [{ args: ["run", "--rm", "-e", "A=1", "-w", "/tmp", "--entrypoint", "sh", IMG, "-c", 'echo "$A $(pwd)"; env | grep -c PATH'] }],
  },
  {
    name: "the hostname",
    needs: ["hostname"],
    steps: [
      { args: ["run", "--rm", "--hostname", "h1", "--entrypoint", "sh", IMG, "-c", 'echo "$HOSTNAME $(hostname)"'] },
      { args: ["run", "--rm", "--hostname", "un", IMG, "sh", "-c", "uname; uname -a; uname -snm; uname -o"] },
    ],
  },
  {
    name: "changes persist across stop and start",
    needs: ["filesPersist"],
    steps: [
      { args: ["create", "--name", "persist", IMG, "sh", "-c", "echo x >> /root/count; wc -l < /root/count"], compare: ["exit"] },
      { args: ["start", "-a", "persist"] },
      { args: ["start", "-a", "persist"] },
    ],
    cleanup: [["rm", "-f", "persist"]],
  },
  {
    name: "exec with piped stdin",
    needs: ["execInputEnds"],
    steps: [
      { args: ["run", "-d", "--name", "piped", IMG, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"], compare: ["exit"] },
      { args: ["exec", "-i", "piped", "cat"], stdin: "exec stdin\n" },
    ],
    cleanup: [["rm", "-f", "piped"]],
  },
  {
    name: "detached sleep, exec and stop",
    steps: [
      { args: ["run", "-d", "--name", "sleeper", IMG, "sleep", "infinity"], compare: ["exit"] },
      { args: ["exec", "sleeper", "sh", "-c", "echo in exec; ls /etc"] },
      { args: ["exec", "sleeper", "sh", "-c", "exit 5"], compare: ["exit"] },
      { args: ["stop", "-t", "1", "sleeper"] },
      { args: ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "sleeper"] },
    ],
    cleanup: [["rm", "-f", "sleeper"]],
  },
  {
    name: "top and ps",
    steps: [
      { args: ["run", "-d", "--name", "topper", IMG, "top"], compare: ["exit"] },
      { args: ["exec", "topper", "sh", "-c", "ps | head -n 1; ps -o pid,comm | grep -c ' 1 top'; top -bn2 -d 0.1 | grep -c '^ *PID *PPID'"] },
      { args: ["stop", "-t", "30", "topper"] },
      { args: ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "topper"] },
    ],
    cleanup: [["rm", "-f", "topper"]],
  },
  {
    name: "signals a shell traps or ignores",
    needs: ["signals"],
    steps: [
      { args: ["run", "-d", "--name", "trapper", IMG, "sh", "-c", 'trap "echo got TERM; exit 3" TERM; trap "echo got INT" INT; trap "" HUP; echo ready; while :; do sleep 3600 & wait $!; done'], compare: ["exit"] },
      { args: ["logs", "trapper"], shell: 'until docker logs trapper | grep -q ready; do sleep 0.05; done; docker kill -s INT trapper >/dev/null && docker kill -s HUP trapper >/dev/null && docker stop -t 30 trapper >/dev/null && docker logs trapper' },
      { args: ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "trapper"] },
    ],
    cleanup: [["rm", "-f", "trapper"]],
  },
  {
    name: "a WASI program: args, env, the image's files, stdin and exit code",
    needs: ["attach", "stderr"],
    steps: [
      {
        args: ["run", "--name", "wasi", "-i", "-e", "GREETING=hello", "-e", "EXIT_STATUS=7", WASI, "stdin", "x y"],
        stdin: "line one\n",
        expect: {
          stdout: "arg 1: stdin\narg 2: x y\nGREETING=hello\ncwd: /\n/etc/passwd lines: 1\nstdin: line one\n",
          stderr: /^to stderr\n$/,
          exit: 7,
        },
      },
      { args: ["run", "--rm", WASI, "no-stdin"], expect: { stdout: "arg 1: no-stdin\nGREETING=(unset)\ncwd: /\n/etc/passwd lines: 1\n", exit: 0 } },
    ],
    cleanup: [["rm", "-f", "wasi"]],
  },
  { name: "run -t", steps: [{ args: ["run", "--rm", "-t", IMG, "sh", "-c", "echo one; echo two"], tty: true }] },
  {
    name: "logs after exit",
    needs: ["stderr"],
    steps: [
      { args: ["run", "--name", "logged", IMG, "sh", "-c", "echo a; echo b >&2; echo c"], compare: ["exit"] },
      { args: ["logs", "logged"], compare: ["stdout", "stderr", "exit"] },
    ],
    cleanup: [["rm", "-f", "logged"]],
  },
  {
    name: "ps with name and status filters",
    steps: [
      { args: ["run", "--name", "lf-cli-a", IMG, "sh", "-c", "exit 2"], compare: ["exit"] },
      { args: ["create", "--name", "lf-cli-b", IMG, "true"], compare: ["exit"] },
      { args: ["ps", "-a", "--filter", "name=lf-cli-", "--filter", "status=exited", "--format", "{{.Names}} {{.State}}"] },
      { args: ["ps", "-a", "--filter", "name=lf-cli-", "--filter", "exited=2", "--format", "{{.Names}}"] },
    ],
    cleanup: [["rm", "-f", "lf-cli-a", "lf-cli-b"]],
  },
  {
    name: "top and stats of a running container",
    needs: ["top", "stats"],
    steps: [
      { args: ["run", "-d", "--name", "lf-cli-top", IMG, "sleep", "300"], compare: ["exit"] },
      { args: ["top", "lf-cli-top"], compare: ["exit"] },
      { args: ["stats", "--no-stream", "--format", "{{.Name}}", "lf-cli-top"] },
      { args: ["rm", "-f", "lf-cli-top"], compare: ["exit"] },
      { args: ["top", "lf-cli-top"], compare: ["exit"] },
    ],
    cleanup: [["rm", "-f", "lf-cli-top"]],
  },
  {
    name: "events of a run, filtered by container",
    steps: [
      { args: ["run", "--name", "ev-cli", IMG, "true"], compare: ["exit"] },
      { args: ["rm", "ev-cli"], compare: ["exit"] },
      // The CLI sends "--until 0s" as whole seconds, which would cut off this second's events; an end just ahead includes them all.
      { args: ["events"], shell: "docker events --since 60s --until $(( $(date +%s) + 2 )) --filter container=ev-cli --format '{{.Action}}'" },
    ],
    cleanup: [["rm", "-f", "ev-cli"]],
  },
  {
    name: "docker cp into a created container, then start -a reads it",
    needs: ["archive", "archiveNotRunning"],
    steps: [
      { args: ["create", "--name", "cp-in", IMG, "cat", "/tmp/in/a.txt", "/tmp/in/sub/b.txt"], compare: ["exit"] },
      { args: ["cp", "$STEP_DIR/in", "cp-in:/tmp/"], shell: 'mkdir -p "$STEP_DIR/in/sub" && echo one > "$STEP_DIR/in/a.txt" && echo two > "$STEP_DIR/in/sub/b.txt" && docker cp "$STEP_DIR/in" cp-in:/tmp/', compare: ["stdout", "stderr", "exit"] },
      { args: ["inspect", "-f", "{{.State.Status}}", "cp-in"] },
      { args: ["start", "-a", "cp-in"], compare: ["stdout", "exit"] },
    ],
    cleanup: [["rm", "-f", "cp-in"]],
  },
  {
    name: "docker cp out of a stopped container to a host directory",
    needs: ["archive", "archiveNotRunning"],
    steps: [
      { args: ["run", "--name", "cp-out", IMG, "sh", "-c", "mkdir -p /data/d && echo content > /data/d/f && ln -s f /data/d/l"], compare: ["exit"] },
      { args: ["cp", "cp-out:/data/d", "$STEP_DIR"], shell: 'docker cp cp-out:/data/d "$STEP_DIR" && cat "$STEP_DIR/d/f" && readlink "$STEP_DIR/d/l" && docker cp cp-out:/data/d/. "$STEP_DIR/dot" && ls "$STEP_DIR/dot"', compare: ["stdout", "exit"] },
      { args: ["cp", "cp-out:/nope", "$STEP_DIR"], shell: 'docker cp cp-out:/nope "$STEP_DIR"', compare: ["stderr", "exit"] },
    ],
    cleanup: [["rm", "-f", "cp-out"]],
  },
  {
    name: "docker diff",
    needs: ["archive", "archiveNotRunning"],
    steps: [
      { args: ["run", "--name", "diffed", IMG, "sh", "-c", "mkdir /tmp/n && echo x > /tmp/n/f && rm /bin/ls"], compare: ["exit"] },
      { args: ["diff", "diffed"], shell: "docker diff diffed | sort" },
    ],
    cleanup: [["rm", "-f", "diffed"]],
  },
  {
    name: "docker export | tar t",
    needs: ["archive", "archiveNotRunning"],
    steps: [
      { args: ["create", "--name", "exported", IMG], compare: ["exit"] },
      { args: ["export", "exported"], shell: "docker export exported | tar t | grep -E '^(bin/busybox|etc/passwd|bin/sh)$' | sort" },
    ],
    cleanup: [["rm", "-f", "exported"]],
  },
  {
    name: "logs -f follows until the container exits",
    needs: ["attach"],
    steps: [
      { args: ["run", "-d", "-i", "--name", "followed", IMG, "sh", "-c", "echo first; read x; echo second $x"], compare: ["exit"] },
      // The follow runs while the container waits for a line on stdin, which `docker attach` then sends.
      { args: ["logs", "-f", "followed"], shell: "docker logs -f followed & follow=$!; echo go | docker attach followed >/dev/null; wait $follow" },
    ],
    cleanup: [["rm", "-f", "followed"]],
  },
  {
    name: "rename",
    steps: [
      { args: ["create", "--name", "before-rename", IMG, "true"], compare: ["exit"] },
      { args: ["rename", "before-rename", "after-rename"] },
      { args: ["ps", "-a", "--filter", "name=after-rename", "--format", "{{.Names}}"] },
      { args: ["rename", "after-rename", "after-rename"], compare: ["stderr", "exit"] },
    ],
    cleanup: [["rm", "-f", "before-rename"], ["rm", "-f", "after-rename"]],
  },
  {
    name: "a restart policy brings a failing container back until its maximum",
    steps: [
      { args: ["run", "-d", "--name", "flaky", "--restart", "on-failure:2", IMG, "sh", "-c", "echo try; exit 3"], compare: ["exit"] },
      {
        args: ["inspect", "flaky"],
        shell: 'until [ "$(docker inspect -f \'{{.State.Status}} {{.RestartCount}}\' flaky)" = "exited 2" ]; do sleep 0.1; done; docker inspect -f \'{{.State.ExitCode}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}\' flaky; docker logs flaky',
      },
    ],
    cleanup: [["rm", "-f", "flaky"]],
  },
  {
    name: "a health check turns healthy",
    steps: [
      { args: ["run", "-d", "--name", "checked", "--health-cmd", "test -e /etc/passwd", "--health-interval", "100ms", IMG, ...STOPPABLE], compare: ["exit"] },
      {
        args: ["inspect", "checked"],
        shell: 'until [ "$(docker inspect -f \'{{.State.Health.Status}}\' checked)" = healthy ]; do sleep 0.1; done; docker inspect -f \'{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}}\' checked; docker ps --filter name=checked --filter health=healthy --format \'{{.Names}}\'',
      },
    ],
    cleanup: [["rm", "-f", "checked"]],
  },
  {
    name: "restart a running container",
    steps: [
      { args: ["run", "-d", "--name", "restarted", IMG, ...STOPPABLE], compare: ["exit"] },
      { args: ["restart", "-t", "0", "restarted"] },
      { args: ["inspect", "-f", "{{.State.Running}} {{.RestartCount}}", "restarted"] },
    ],
    cleanup: [["rm", "-f", "restarted"]],
  },
  {
    name: "wait prints the exit code",
    steps: [
      { args: ["run", "-d", "--name", "waited", IMG, "sh", "-c", "exit 5"], compare: ["exit"] },
      { args: ["wait", "waited"] },
    ],
    cleanup: [["rm", "-f", "waited"]],
  },
  {
    name: "run -it under a terminal",
    needs: ["attach"],
    steps: [{ args: ["run", "--rm", "-it", IMG, "sh", "-c", "read x; echo got $x"], tty: true, stdin: "hello\n" }],
  },
  {
    name: "a user without a passwd entry",
    needs: ["stderr"],
    steps: [{ args: ["run", "--rm", "-u", "1000", IMG, "sh", "-c", "id; whoami; echo $HOME"], compare: ["stdout", "stderr", "exit"] }],
  },
  {
    name: "users and HOME",
    steps: [
      { args: ["run", "--rm", IMG, "sh", "-c", "id; whoami; echo $HOME; id -u; id -un; id -G"] },
      { args: ["run", "--rm", "-u", "nobody", IMG, "sh", "-c", "id; echo $HOME"] },
      { args: ["run", "--rm", "-u", "0:12", IMG, "id"] },
      { args: ["run", "--rm", "-u", "nope", IMG, "id"], compare: ["stderr", "exit"] },
    ],
  },
  {
    name: "supplementary groups",
    needs: ["groupAdd"],
    steps: [
      { args: ["run", "--rm", "--group-add", "1000", "--group-add", "nogroup", IMG, "sh", "-c", "id; id -G"] },
      { args: ["run", "--rm", "--group-add", "nope", IMG, "id"], compare: ["stderr", "exit"] },
    ],
  },
  {
    name: "tag, images with filters, and rmi",
    steps: [
      { args: ["tag", IMG, "cli-img/one:v1"] },
      { args: ["tag", IMG, "cli-img/two"] },
      // The CLI prints an image's repositories in Go map order: sorted here.
      { args: ["images"], shell: "docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' --filter 'reference=cli-img/*' | sort" },
      { args: ["images", "-q", "--filter", "dangling=true"] },
      { args: ["images", "--format", "{{.Repository}}", "--filter", "label=nope"] },
      { args: ["rmi", "cli-img/one:v1"] },
      { args: ["rmi", "cli-img/one:v1"], compare: ["stderr", "exit"] },
      { args: ["images", "--format", "{{.Repository}}:{{.Tag}}", "cli-img/*"] },
    ],
    cleanup: [["rmi", "cli-img/one:v1"], ["rmi", "cli-img/two"]],
  },
  {
    name: "rmi of an image a container uses",
    steps: [
      { args: ["tag", IMG, "cli-used"] },
      { args: ["create", "--name", "cli-user", "cli-used", "true"], compare: ["exit"] },
      { args: ["rmi", "cli-used"] },
      { args: ["image", "inspect", "-f", "{{.RepoTags}}", IMG] },
    ],
    cleanup: [["rm", "-f", "cli-user"], ["rmi", "cli-used"]],
  },
  { name: "history", steps: [{ args: ["history", "--no-trunc", "--format", "{{.ID}} {{.CreatedBy}} {{.Size}} {{.Comment}}", IMG] }] },
  {
    name: "import a tarball with changes, then run it",
    steps: [
      {
        args: ["import"],
        shell: 'mkdir -p "$STEP_DIR/root/etc" && echo imported > "$STEP_DIR/root/etc/msg" && tar -C "$STEP_DIR/root" -cf - . | docker import -c "ENV IMPORTED=yes" -m "cli import" - cli-imported:v1 > /dev/null && echo ok',
      },
      { args: ["image", "inspect", "-f", "{{.Config.Env}} {{.Comment}} {{len .RootFS.Layers}}", "cli-imported:v1"] },
      { args: ["history", "--format", "{{.CreatedBy}}|{{.Comment}}", "cli-imported:v1"] },
    ],
    cleanup: [["rmi", "cli-imported:v1"]],
  },
  {
    name: "commit a container, then run the committed image",
    needs: ["archive", "archiveNotRunning"],
    steps: [
      { args: ["run", "--name", "cli-committed", IMG, "sh", "-c", "echo committed > /note; rm /bin/ls"], compare: ["exit"] },
      { args: ["commit", "-c", "CMD cat /note", "-m", "a note", "cli-committed", "cli-commit:v1"], compare: ["exit"] },
      { args: ["run", "--rm", "cli-commit:v1"] },
      { args: ["run", "--rm", "cli-commit:v1", "sh", "-c", "ls /bin/ls 2>/dev/null || echo ls is gone"] },
      { args: ["image", "inspect", "-f", "{{.Config.Cmd}} {{.Comment}} {{len .RootFS.Layers}}", "cli-commit:v1"] },
      { args: ["history", "--format", "{{.CreatedBy}}|{{.Comment}}", "cli-commit:v1"] },
    ],
    cleanup: [["rm", "-f", "cli-committed"], ["rmi", "cli-commit:v1"]],
  },
  {
    name: "save and load back with the same ID",
    steps: [
      { args: ["save"], shell: `docker save -o "$STEP_DIR/img.tar" ${IMG} && tar -tf "$STEP_DIR/img.tar" | grep -c layer.tar` },
      { args: ["load"], shell: `docker save ${IMG} | docker load` },
      { args: ["image", "inspect", "-f", "{{.ID}}", IMG] },
    ],
  },
  {
    name: "image prune",
    steps: [
      { args: ["import"], shell: 'mkdir -p "$STEP_DIR/r" && echo x > "$STEP_DIR/r/x" && tar -C "$STEP_DIR/r" -cf - . | docker import - > /dev/null && echo ok' },
      { args: ["image", "prune", "-f"], shell: "docker image prune -f | grep -c deleted:" },
      { args: ["images", "-q", "--filter", "dangling=true"] },
    ],
  },
  {
    name: "a named volume shared by two containers",
    needs: ["mounts"],
    steps: [
      { args: ["volume", "create", "--label", "cli=yes", "cli-vol"] },
      { args: ["run", "--rm", "-v", "cli-vol:/data", IMG, "sh", "-c", "echo x > /data/f"] },
      { args: ["run", "--rm", "-v", "cli-vol:/data:ro", IMG, "cat", "/data/f"] },
      { args: ["run", "--rm", "-v", "cli-vol:/data:ro", IMG, "sh", "-c", "echo y > /data/f"], compare: ["exit"] },
      { args: ["volume", "ls", "--filter", "label=cli=yes", "--format", "{{.Driver}} {{.Name}}"] },
      { args: ["volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}}", "cli-vol"] },
      { args: ["volume", "rm", "cli-vol"] },
      { args: ["volume", "inspect", "cli-vol"], compare: ["exit", "stderr"] },
    ],
    cleanup: [["volume", "rm", "-f", "cli-vol"]],
  },
  {
    name: "create, list, inspect and remove a network",
    steps: [
      { args: ["network", "create", "--label", "cli=yes", "--subnet", "10.97.0.0/24", "cli-net"], compare: ["exit"] },
      { args: ["network", "ls", "--filter", "label=cli=yes", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"] },
      { args: ["network", "inspect", "-f", "{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Labels}}", "cli-net"] },
      { args: ["network", "rm", "cli-net"] },
      { args: ["network", "inspect", "cli-net"], compare: ["exit", "stderr"] },
    ],
    cleanup: [["network", "rm", "cli-net"]],
  },
  ...buildScenarios,
];
