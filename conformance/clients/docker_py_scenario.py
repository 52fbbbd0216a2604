"""Containers, exec, logs, attach and events through docker-py, unmodified.

Usage: python3 docker_py_scenario.py SOCKET

Every check asserts concrete expectations and prints one line, `PASS name`
or `FAIL name: reason`; the same script runs against the reference engine
and sockerless, and clients.sh compares the two transcripts. A check that
needs what the engine's backend declares unsupported (`docker version`)
prints `SKIP name: reason` instead. Containers it creates carry a label
unique to the run and are all removed at the end.
"""

import io
import os
import re
import sys
import tarfile
import time
import traceback

import docker
import docker.errors

IMG = "sockerless-test/busybox"
RUN = f"sockerless-clients-py-{os.getpid()}"
LABELS = {"sockerless.clients": RUN}
TIMESTAMP = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")

client = docker.DockerClient(base_url=f"unix://{sys.argv[1]}", timeout=60)
api = client.api
checks = []


def check(fn):
    checks.append(fn)
    return fn


def needs(*capabilities):
    """Marks a check as meaningful only where the backend can do these (names as docker version's Unsupported lists them)."""

    def mark(fn):
        fn.needs = capabilities
        return fn

    return mark


def backend_of(version):
    """The backend component's name and what it declares unsupported; the reference engine has none."""
    for component in version.get("Components") or []:
        if component["Name"].startswith("backend "):
            unsupported = (component.get("Details") or {}).get("Unsupported", "")
            return component["Name"][len("backend "):], set(filter(None, unsupported.split(",")))
    return "", set()


def expect(actual, wanted, what=""):
    if actual != wanted:
        raise AssertionError(f"{what or 'value'}: wanted {wanted!r}, got {actual!r}")


def poll(condition, what, seconds=20.0):
    """Waits for condition() to be true, failing after a deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def create(cmd, **kwargs):
    return client.containers.create(IMG, cmd, labels=dict(LABELS, **kwargs.pop("labels", {})), **kwargs)


def run_detached(cmd, **kwargs):
    return client.containers.run(IMG, cmd, detach=True, labels=dict(LABELS, **kwargs.pop("labels", {})), **kwargs)


def parse_time(text):
    """Docker's RFC 3339 time with up to 9 fractional digits, as nanoseconds."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", text)
    if not m:
        raise AssertionError(f"not an RFC 3339 UTC time: {text!r}")
    whole = int(time.mktime(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")))
    return whole * 10**9 + int((m.group(2) or "0").ljust(9, "0"))


# Ends at SIGTERM, so a backend that can only stop containers (SIGTERM, then
# SIGKILL after a grace period) removes it at once.
STOPPABLE = ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]


def sleeper(cmd=STOPPABLE, **kwargs):
    c = run_detached(cmd, **kwargs)
    c.reload()
    expect(c.status, "running", "status after run -d")
    return c


@check
@needs("stderr")
def run_attached_returns_stdout():
    out = client.containers.run(IMG, ["sh", "-c", "echo out; echo err >&2"], remove=True, labels=LABELS)
    expect(out, b"out\n", "stdout")


@check
@needs("stderr")
def run_attached_stderr_only():
    out = client.containers.run(IMG, ["sh", "-c", "echo out; echo err >&2"], stdout=False, stderr=True, remove=True, labels=LABELS)
    expect(out, b"err\n", "stderr")


@check
@needs("stderr")
def run_failure_raises_container_error():
    try:
        client.containers.run(IMG, ["sh", "-c", "echo boom >&2; exit 3"], labels=LABELS)
    except docker.errors.ContainerError as e:
        expect(e.exit_status, 3, "exit status")
        expect(e.stderr, b"boom\n", "stderr")
        e.container.remove()
        return
    raise AssertionError("no ContainerError")


@check
def run_missing_image_raises_image_not_found():
    try:
        # A name that exists nowhere, with pulling unavailable offline or not:
        # create answers 404 first; docker-py then tries to pull, which fails.
        client.containers.create("sockerless-test/no-such-image:never", "true")
    except (docker.errors.ImageNotFound, docker.errors.NotFound, docker.errors.APIError) as e:
        expect(e.response.status_code >= 400, True, "an error status")
        return
    raise AssertionError("no error")


@check
def run_detached_then_wait_and_logs():
    c = run_detached(["sh", "-c", "echo hello; exit 4"])
    expect(c.wait(timeout=30)["StatusCode"], 4, "wait status")
    expect(c.logs(), b"hello\n", "logs")
    c.reload()
    expect((c.status, c.attrs["State"]["ExitCode"]), ("exited", 4), "state")
    c.remove()


@check
def create_start_kill_restart_stop_remove():
    c = create(["sleep", "300"], name=f"{RUN}-life")
    c.reload()
    expect(c.status, "created", "status after create")
    c.start()
    c.reload()
    expect(c.status, "running", "status after start")
    c.kill(signal="SIGKILL")
    expect(c.wait(timeout=30)["StatusCode"], 137, "exit code after SIGKILL")
    c.restart(timeout=1)
    c.reload()
    expect(c.status, "running", "status after restart")
    expect(c.attrs["RestartCount"], 0, "restart count of a manual restart")
    c.stop(timeout=1)
    c.reload()
    expect(c.status, "exited", "status after stop")
    expect(c.attrs["State"]["ExitCode"], 137, "exit code after stop past its timeout")
    c.remove()
    try:
        client.containers.get(c.id)
    except docker.errors.NotFound:
        return
    raise AssertionError("container still there after remove")


@check
def kill_with_signal_name_and_number():
    c = sleeper(["sleep", "300"])
    try:
        c.kill(signal="NOSUCHSIG")
        raise AssertionError("a bad signal name was accepted")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 400, "status for a bad signal")
    c.kill(signal=9)
    expect(c.wait(timeout=30)["StatusCode"], 137, "exit code")
    c.remove()


@check
def remove_running_needs_force():
    c = sleeper()
    try:
        c.remove()
        raise AssertionError("removed a running container without force")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 409, "status")
    c.remove(force=True)


@check
def wait_conditions():
    c = create(["sh", "-c", "exit 2"])
    expect(c.wait(condition="not-running", timeout=30)["StatusCode"], 0, "not-running on a created container")
    c.start()
    expect(c.wait(timeout=30)["StatusCode"], 2, "next-exit")
    c.remove()


@check
def list_with_filters():
    mark = {"sockerless.clients.list": "yes"}
    running = run_detached(STOPPABLE, labels=mark, name=f"{RUN}-list-running")
    exited = run_detached(["true"], labels=mark, name=f"{RUN}-list-exited")
    exited.wait(timeout=30)
    mine = {"label": [f"sockerless.clients={RUN}", "sockerless.clients.list=yes"]}
    names = lambda **f: sorted(c.name for c in client.containers.list(all=True, filters=dict(mine, **f)))
    expect(names(), sorted([running.name, exited.name]), "all")
    expect(sorted(c.name for c in client.containers.list(filters=mine)), [running.name], "running only")
    expect(names(status="exited"), [exited.name], "status=exited")
    expect(names(name=f"{RUN}-list-run"), [running.name], "name")
    expect(names(id=exited.id[:12]), [exited.name], "id prefix")
    expect(names(exited="0"), [exited.name], "exited=0")
    expect(len(client.containers.list(all=True, limit=1, filters=mine)), 1, "limit")
    try:
        client.containers.list(filters={"nope": "x"})
        raise AssertionError("an unknown filter was accepted")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 400, "status for an unknown filter")
    running.remove(force=True)
    exited.remove()


@check
@needs("hostname")
def inspect_and_reload():
    c = create(["sh", "-c", "echo $A"], environment={"A": "1"}, working_dir="/tmp", hostname="hh", labels={"x": "y"})
    a = api.inspect_container(c.id)
    expect(a["Config"]["Labels"]["x"], "y", "label")
    expect("A=1" in a["Config"]["Env"], True, "env")
    expect((a["Config"]["WorkingDir"], a["Config"]["Hostname"]), ("/tmp", "hh"), "workdir and hostname")
    expect((a["Path"], a["Args"]), ("sh", ["-c", "echo $A"]), "path and args")
    expect(a["Image"].startswith("sha256:"), True, "image id")
    expect(c.image.tags, [f"{IMG}:latest"], "image tags")
    c.start()
    c.wait(timeout=30)
    expect(c.status, "created", "a Container's status before reload")
    c.reload()
    expect(c.status, "exited", "status after reload")
    parse_time(c.attrs["State"]["StartedAt"])
    parse_time(c.attrs["State"]["FinishedAt"])
    c.remove()


@check
def rename():
    c = create(["true"], name=f"{RUN}-old")
    c.rename(f"{RUN}-new")
    c.reload()
    expect(c.name, f"{RUN}-new", "name after rename")
    expect(client.containers.get(f"{RUN}-new").id, c.id, "found by the new name")
    other = create(["true"], name=f"{RUN}-other")
    try:
        other.rename(f"{RUN}-new")
        raise AssertionError("renamed onto a name in use")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 409, "status for a name in use")
    c.remove()
    other.remove()


@check
@needs("stderr")
def logs_stream_follow_tail_since_timestamps():
    c = run_detached(["sh", "-c", "echo one; echo two >&2; echo three"])
    c.wait(timeout=30)
    # stdout and stderr are separate pipes: only each stream's own order is fixed.
    lines = lambda b: sorted(b.splitlines(keepends=True))
    expect(lines(c.logs()), [b"one\n", b"three\n", b"two\n"], "stdout and stderr")
    expect(c.logs(stderr=False), b"one\nthree\n", "stdout only")
    expect(c.logs(stdout=False), b"two\n", "stderr only")
    expect(lines(b"".join(c.logs(stream=True))), [b"one\n", b"three\n", b"two\n"], "stream")
    expect(c.logs(tail=0), b"", "tail=0")
    only_out = run_detached(["sh", "-c", "echo a; echo b; echo c"])
    only_out.wait(timeout=30)
    expect(only_out.logs(tail=1), b"c\n", "tail=1")
    expect(only_out.logs(tail=2), b"b\nc\n", "tail=2")
    expect(only_out.logs(tail="all"), b"a\nb\nc\n", "tail=all")
    only_out.remove()
    stamped = c.logs(timestamps=True).splitlines(keepends=True)
    expect(len(stamped), 3, "timestamped lines")
    for line in stamped:
        if not TIMESTAMP.match(line):
            raise AssertionError(f"no timestamp on {line!r}")
    expect(sorted(TIMESTAMP.sub(b"", l) for l in stamped), [b"one\n", b"three\n", b"two\n"], "text after timestamps")
    # Each stream's lines are in time order; across the two pipes even dockerd's order and times can cross.
    out_times = [parse_time(l.split(b" ")[0].decode()) for l in stamped if TIMESTAMP.sub(b"", l) in (b"one\n", b"three\n")]
    expect(out_times == sorted(out_times), True, f"stdout lines in time order {out_times}")
    expect(c.logs(since=int(time.time()) + 3600), b"", "since in the future")
    expect(lines(c.logs(since=1)), [b"one\n", b"three\n", b"two\n"], "since long ago")
    expect(c.logs(until=1), b"", "until long ago")
    c.remove()


@check
@needs("attach")
def logs_follow_until_exit():
    c = create(["sh", "-c", "echo first; read x; echo second"], stdin_open=True)
    sock = c.attach_socket(params={"stdin": 1, "stream": 1})
    c.start()
    stream = c.logs(stream=True, follow=True)
    got = b""
    for chunk in stream:
        got += chunk
        if got == b"first\n":
            sock._sock.sendall(b"go\n")
            sock._sock.close()
    expect(got, b"first\nsecond\n", "followed output")
    expect(c.wait(timeout=30)["StatusCode"], 0, "exit code")
    c.remove()


@check
@needs("stderr")
def exec_run_output_and_exit_code():
    c = sleeper()
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    expect(r.exit_code, 3, "exit code")
    expect(sorted(r.output.splitlines()), [b"err", b"out"], "stdout and stderr")
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2"], stderr=False)
    expect((r.exit_code, r.output), (0, b"out\n"), "stdout only")
    expect(c.exec_run(["sh", "-c", "pwd"], workdir="/tmp").output, b"/tmp\n", "workdir")
    expect(c.exec_run(["sh", "-c", "echo $FOO-$BAR"], environment={"FOO": "x", "BAR": "y"}).output, b"x-y\n", "environment dict")
    expect(c.exec_run(["sh", "-c", "echo $FOO"], environment=["FOO=z"]).output, b"z\n", "environment list")
    r = c.exec_run(["sh", "-c", "echo a; echo b >&2; exit 1"], demux=True)
    expect((r.exit_code, r.output), (1, (b"a\n", b"b\n")), "demux")
    r = c.exec_run(["sh", "-c", "echo a"], demux=True)
    expect(r.output, (b"a\n", None), "demux without stderr")
    r = c.exec_run(["nope-not-a-command"])
    expect(r.exit_code in (126, 127), True, f"exit code of a missing executable ({r.exit_code})")
    c.remove(force=True)


@check
@needs("stderr")
def exec_run_stream():
    c = sleeper()
    r = c.exec_run(["sh", "-c", "echo 1; echo 2; echo 3"], stream=True)
    expect(r.exit_code, None, "exit code of a stream")
    expect(b"".join(r.output), b"1\n2\n3\n", "streamed output")
    r = c.exec_run(["sh", "-c", "echo o; echo e >&2"], stream=True, demux=True)
    parts = list(r.output)
    expect(b"".join(p[0] for p in parts if p[0]), b"o\n", "streamed stdout")
    expect(b"".join(p[1] for p in parts if p[1]), b"e\n", "streamed stderr")
    c.remove(force=True)


@check
@needs("execUser")
def exec_low_level_inspect():
    c = sleeper()
    e = api.exec_create(c.id, ["sh", "-c", "exit 7"], user="nobody")
    i = api.exec_inspect(e["Id"])
    expect((i["Running"], i["ExitCode"], i["ProcessConfig"]["user"]), (False, None, "nobody"), "before start")
    api.exec_start(e["Id"])
    i = api.exec_inspect(e["Id"])
    expect((i["Running"], i["ExitCode"], i["ContainerID"]), (False, 7, c.id), "after start")
    c.remove(force=True)
    try:
        api.exec_create(c.id, "true")
        raise AssertionError("exec into a removed container")
    except docker.errors.NotFound:
        pass


@check
def exec_stream_framing_follows_the_start_request():
    c = sleeper()
    e = api.exec_create(c.id, ["sh", "-c", "echo hi"], tty=True)
    # Started without Tty the stream is multiplexed; docker-py demultiplexes it.
    expect(api.exec_start(e["Id"], tty=False), b"hi\r\n", "output through a terminal, framed")
    e = api.exec_create(c.id, ["sh", "-c", "echo hi"], tty=True)
    expect(api.exec_start(e["Id"], tty=True), b"hi\r\n", "raw terminal output")
    c.remove(force=True)


@check
def exec_on_stopped_container_is_a_conflict():
    c = create(["true"])
    try:
        c.exec_run("true")
        raise AssertionError("exec into a created container")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 409, "status")
    c.remove()


@check
@needs("stderr")
def attach_before_start():
    c = create(["sh", "-c", "echo one; echo two >&2; exit 5"])
    stream = c.attach(stdout=True, stderr=True, stream=True, logs=True, demux=True)
    c.start()
    out, err = b"", b""
    for o, e in stream:
        out += o or b""
        err += e or b""
    expect((out, err), (b"one\n", b"two\n"), "attached output")
    expect(c.wait(timeout=30)["StatusCode"], 5, "exit code")
    c.remove()


@check
@needs("attach")
def attach_socket_stdin():
    c = create(["cat"], stdin_open=True)
    sock = api.attach_socket(c.id, params={"stdin": 1, "stdout": 1, "stream": 1})
    c.start()
    raw = sock._sock
    raw.sendall(b"ping\n")
    raw.shutdown(1)  # half-close: EOF reaches cat
    data = b""
    while True:
        chunk = raw.recv(4096)
        if not chunk:
            break
        data += chunk
    raw.close()
    # Without a TTY the stream is multiplexed: an 8-byte header per frame.
    expect(data[:1], b"\x01", "stdout stream id")
    expect(data[8:], b"ping\n", "echoed stdin")
    expect(c.wait(timeout=30)["StatusCode"], 0, "exit code")
    c.remove()


@check
@needs("top")
def top():
    c = sleeper()
    t = c.top()
    expect("PID" in t["Titles"] and "CMD" in t["Titles"], True, f"titles {t['Titles']}")
    cmds = [p[t["Titles"].index("CMD")] for p in t["Processes"]]
    expect(any("sleep 300" in x for x in cmds), True, f"sleep 300 among {cmds}")
    c.stop(timeout=1)
    try:
        c.top()
        raise AssertionError("top of a stopped container")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 409, "status")
    c.remove()


@check
@needs("stats")
def stats_once():
    c = sleeper()
    s = c.stats(stream=False)
    for key in ("read", "preread", "cpu_stats", "precpu_stats", "memory_stats", "pids_stats", "blkio_stats"):
        if key not in s:
            raise AssertionError(f"no {key} in {sorted(s)}")
    expect(s["pids_stats"]["current"] >= 1, True, "pids")
    expect(s["name"], "/" + c.name, "name")
    expect(s["id"], c.id, "id")
    expect(s["cpu_stats"]["online_cpus"] >= 1, True, "online cpus")
    c.remove(force=True)


@check
def update_restart_policy_and_memory():
    created = create(["true"], mem_limit="64m")
    created.update(mem_limit="96m", memswap_limit=-1)
    created.reload()
    expect(created.attrs["HostConfig"]["Memory"], 96 * 1024 * 1024, "memory of a created container")
    created.remove()
    c = sleeper()
    c.update(restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})
    c.reload()
    expect(c.attrs["HostConfig"]["RestartPolicy"], {"Name": "on-failure", "MaximumRetryCount": 2}, "restart policy")
    try:
        c.update(restart_policy={"Name": "bogus"})
        raise AssertionError("a bad restart policy was accepted")
    except docker.errors.APIError as e:
        expect(e.response.status_code, 400, "status for a bad policy")
    c.remove(force=True)


@check
def events_since_until_filters():
    since = time.time() - 1
    c = run_detached(["sh", "-c", "exit 3"], name=f"{RUN}-events")
    c.wait(timeout=30)
    c.remove()
    until = f"{time.time() + 0.5:.9f}"
    events = list(client.events(since=since, until=until, filters={"container": c.id}, decode=True))
    actions = [e["Action"] for e in events]
    expect(actions, ["create", "start", "die", "destroy"], "actions")
    die = events[2]
    expect((die["Type"], die["Actor"]["ID"], die["id"]), ("container", c.id, c.id), "die actor")
    expect(die["Actor"]["Attributes"]["exitCode"], "3", "exit code attribute")
    expect(die["Actor"]["Attributes"]["name"], f"{RUN}-events", "name attribute")
    expect(die["Actor"]["Attributes"]["sockerless.clients"], RUN, "label attribute")
    expect(all(isinstance(e["timeNano"], int) and e["time"] == e["timeNano"] // 10**9 for e in events), True, "time fields")
    only = list(client.events(since=since, until=until, filters={"container": c.id, "event": ["start", "destroy"]}, decode=True))
    expect([e["Action"] for e in only], ["start", "destroy"], "event filter")
    labelled = list(client.events(since=since, until=until, filters={"label": f"sockerless.clients={RUN}", "event": "die", "type": "container"}, decode=True))
    expect(c.id in [e["id"] for e in labelled], True, "label filter")


@check
def events_live():
    since = time.time()
    stream = client.events(since=since, filters={"label": f"sockerless.clients={RUN}", "event": "start"}, decode=True)
    c = run_detached(["true"], name=f"{RUN}-live")
    first = next(stream)
    stream.close()
    expect((first["Action"], first["id"]), ("start", c.id), "first live event")
    c.wait(timeout=30)
    c.remove()


@check
def exec_events():
    since = time.time() - 1
    c = sleeper()
    c.exec_run(["sh", "-c", "exit 0"])
    until = f"{time.time() + 0.5:.9f}"
    actions = [e["Action"] for e in client.events(since=since, until=until, filters={"container": c.id}, decode=True)]
    expect([a.split(":")[0] for a in actions if a.startswith("exec_")], ["exec_create", "exec_start", "exec_die"], f"exec events in {actions}")
    c.remove(force=True)


@check
@needs("archive", "archiveNotRunning")
def put_and_get_archive():
    c = create(["sh", "-c", "cat /tmp/in/hello.txt; ls -l /tmp/in"], working_dir="/tmp")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        d = tarfile.TarInfo("in")
        d.type, d.mode = tarfile.DIRTYPE, 0o755
        t.addfile(d)
        data = b"hello archive\n"
        f = tarfile.TarInfo("in/hello.txt")
        f.size, f.mode = len(data), 0o640
        t.addfile(f, io.BytesIO(data))
    expect(c.put_archive("/tmp", buf.getvalue()), True, "put_archive into a created container")
    c.start()
    expect(c.wait(timeout=30)["StatusCode"], 0, "exit code")
    expect(c.logs().splitlines()[0], b"hello archive", "file content seen by the container")
    bits, stat = c.get_archive("/tmp/in/hello.txt")
    expect((stat["name"], stat["size"], stat["mode"] & 0o777), ("hello.txt", 14, 0o640), "stat")
    got = tarfile.open(fileobj=io.BytesIO(b"".join(bits)))
    expect(got.getnames(), ["hello.txt"], "archive entries")
    expect(got.extractfile("hello.txt").read(), b"hello archive\n", "archive content")
    try:
        c.get_archive("/tmp/none")
        raise AssertionError("archive of a missing path")
    except docker.errors.NotFound:
        pass
    c.remove()


@check
@needs("archive", "archiveNotRunning")
def build_with_tag_and_buildargs():
    """images.build of a context tar (the legacy builder): build args, a tag, the returned log stream, then a run of the result."""

    def context(dockerfile):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            data = dockerfile.encode()
            f = tarfile.TarInfo("Dockerfile")
            f.size = len(data)
            t.addfile(f, io.BytesIO(data))
        buf.seek(0)
        return buf

    tag = f"{RUN}-built:v1"
    dockerfile = f'FROM {IMG}\nARG GREETING=none\nRUN echo "$GREETING" > /greeting.txt && echo built\nCMD ["cat", "/greeting.txt"]\n'
    image, logs = client.images.build(
        fileobj=context(dockerfile), custom_context=True, tag=tag, buildargs={"GREETING": "hello from docker-py"}, nocache=True, rm=True, network_mode="none"
    )
    logs = list(logs)
    text = "".join(line.get("stream", "") for line in logs)
    expect("Step 3/4 : RUN" in text and "built\n" in text, True, f"build output {text!r}")
    expect(re.search(r"Successfully built [0-9a-f]{12}\n", text) is not None, True, "Successfully built line")
    expect(f"Successfully tagged {tag}\n" in text, True, "Successfully tagged line")
    expect([line["aux"]["ID"] for line in logs if "aux" in line], [image.id], "aux ID")
    expect(image.tags, [tag], "tags")
    expect(client.containers.run(tag, remove=True, labels=LABELS), b"hello from docker-py\n", "output of the built image")
    try:
        client.images.build(fileobj=context(f"FROM {IMG}\nRUN exit 3\n"), custom_context=True, nocache=True, forcerm=True, network_mode="none")
        raise AssertionError("a failing RUN built")
    except docker.errors.BuildError as e:
        expect(e.msg, "The command '/bin/sh -c exit 3' returned a non-zero code: 3", "build error")
    client.images.remove(tag)


@check
def images_through_a_registry():
    """images.get/list/push/remove/pull through the local registry: the pulled image is the pushed one."""
    registry = os.environ.get("CONFORMANCE_REGISTRY")
    if not registry:
        raise AssertionError("CONFORMANCE_REGISTRY is not set")
    repo = f"{registry}/{RUN}/bb"
    source = client.images.get(IMG)
    expect(source.tag(repo, "v1"), True, "tag")
    expect([i.id for i in client.images.list(name=repo)], [source.id], "list by name")
    pushed = list(client.images.push(repo, "v1", stream=True, decode=True))
    expect([line["error"] for line in pushed if "error" in line], [], "push errors")
    digest = next(line["aux"]["Digest"] for line in pushed if "aux" in line)
    client.images.remove(f"{repo}:v1")
    expect(client.images.list(name=repo), [], "list after remove")
    pulled = client.images.pull(repo, tag="v1")
    expect(pulled.id, source.id, "pulled image ID")
    expect(f"{repo}@{digest}" in pulled.attrs["RepoDigests"], True, f"RepoDigests {pulled.attrs['RepoDigests']!r}")
    try:
        client.images.pull(repo, tag="missing")
        raise AssertionError("pulled a tag that does not exist")
    except docker.errors.NotFound:
        pass
    client.images.remove(f"{repo}:v1")


def cleanup():
    for c in client.containers.list(all=True, filters={"label": f"sockerless.clients={RUN}"}):
        c.remove(force=True)


backend, unsupported = backend_of(client.version())
failed = 0
try:
    for fn in checks:
        lacking = [n for n in getattr(fn, "needs", ()) if n in unsupported]
        if lacking:
            print(f"SKIP {fn.__name__}: needs {', '.join(lacking)}, which backend {backend} declares unsupported", flush=True)
            continue
        try:
            fn()
            print(f"PASS {fn.__name__}", flush=True)
        except Exception as e:  # report every failure, then go on with the next check
            failed += 1
            where = traceback.extract_tb(e.__traceback__)[-1]
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e} (line {where.lineno})".replace("\n", " "), flush=True)
finally:
    cleanup()
    left = client.containers.list(all=True, filters={"label": f"sockerless.clients={RUN}"})
    if left:
        print(f"FAIL cleanup: {len(left)} containers left", flush=True)
        failed += 1
sys.exit(1 if failed else 0)
