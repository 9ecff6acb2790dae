//! Command-line level tests: exit codes, stderr format and JSON lines of the
//! real binary, driven the way a guest script drives it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sgnic-test");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run sgnic-test")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Extracts the unsigned number after `"key":` in a JSON line.
fn json_uint(line: &str, key: &str) -> u64 {
    let pat = format!("\"{key}\":");
    let start = line
        .find(&pat)
        .unwrap_or_else(|| panic!("{key} not in {line}"))
        + pat.len();
    line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Extracts the string after `"key":"` in a JSON line.
fn json_str(line: &str, key: &str) -> String {
    let pat = format!("\"{key}\":\"");
    let start = line
        .find(&pat)
        .unwrap_or_else(|| panic!("{key} not in {line}"))
        + pat.len();
    line[start..].split('"').next().unwrap().to_string()
}

fn temp(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sgnic-cli-{}-{tag}", std::process::id()))
}

/// Starts a server subcommand on an ephemeral port and returns it with the
/// port from its `{"listening":P}` line.
fn start_server(args: &[&str]) -> (Child, BufReader<ChildStdout>, u16) {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--port", "0", "--bind", "127.0.0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port = json_uint(&line, "listening") as u16;
    (child, out, port)
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["mkfile", "/tmp/x"],
        &["mkfile", "/tmp/x", "1Q"],
        &[
            "send",
            "--to",
            "127.0.0.1:1",
            "--file",
            "/nonexistent",
            "--method",
            "teleport",
        ],
        &["recv"],
        &["recv", "--port", "70000"],
        &["rr", "--to", "127.0.0.1:1", "--count", "x", "--size", "1"],
        &["sha256", "/tmp/x", "--wat"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("sgnic-test: "),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    assert_eq!(run(&["help"]).status.code(), Some(0));
}

#[test]
fn raw_send_bad_csum_usage_errors_exit_2() {
    // Refused before any socket opens, so no CAP_NET_RAW is needed.
    let base = ["raw-send", "--iface", "lo", "--dst", "02:00:00:00:00:02"];
    let flow = "--src-ip 10.0.0.1 --dst-ip 10.0.0.2 --dst-port 9";
    for extra in [
        "--tcp-bad-csum --dst-ip 10.0.0.2 --dst-port 9".to_string(),
        "--udp-bad-csum --src-ip 10.0.0.1 --dst-ip 10.0.0.2".to_string(),
        "--tcp-bad-csum --src-ip 10.0.0.1 --dst-ip fd00::2 --dst-port 9".to_string(),
        format!("--tcp-bad-csum --udp-bad-csum {flow}"),
        format!("--tcp-bad-csum --ethertype 0x0800 {flow}"),
        format!("--udp-bad-csum --size 65500 {flow}"),
        "--dst-ip 10.0.0.2".to_string(),
    ] {
        let mut args = base.to_vec();
        args.extend(["--count", "1"]);
        args.extend(extra.split(' '));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{extra}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("sgnic-test: "), "{extra}");
        assert!(stdout(&o).is_empty(), "{extra}");
    }
}

#[test]
fn runtime_errors_exit_1_with_os_error() {
    let o = run(&["sha256", "/nonexistent/file"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "sgnic-test: open /nonexistent/file: No such file or directory (os error 2)"
    );
    let o = run(&["ethtool-stats", "lo"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).starts_with("sgnic-test: ethtool-stats lo: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn mkfile_and_sha256() {
    let path = temp("mk");
    let p = path.to_str().unwrap();
    let o = run(&["mkfile", p, "1M", "--seed", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json_uint(&stdout(&o), "bytes"), 1 << 20);
    let first = stdout(&run(&["sha256", p]));
    assert_eq!(json_uint(&first, "bytes"), 1 << 20);
    run(&["mkfile", p, "1048576", "--seed", "3"]);
    let second = stdout(&run(&["sha256", p]));
    assert_eq!(first, second);
    let hex = stdout(&run(&["sha256", "--hex", p]));
    assert_eq!(hex.trim(), json_str(&first, "sha256"));
    let _ = std::fs::remove_file(path);
}

#[test]
fn recv_and_send_via_cli() {
    let src = temp("src");
    let dst = temp("dst");
    let ready = temp("ready");
    let _ = std::fs::remove_file(&ready);
    let s = src.to_str().unwrap();
    assert!(run(&["mkfile", s, "2M", "--seed", "9"]).status.success());
    let (mut child, mut out, port) = start_server(&[
        "recv",
        "--count",
        "2",
        "--out",
        dst.to_str().unwrap(),
        "--ready-file",
        ready.to_str().unwrap(),
    ]);
    assert!(ready.exists(), "ready file not created");
    let to = format!("127.0.0.1:{port}");
    for method in ["sendfile", "splice"] {
        let o = run(&[
            "send", "--to", &to, "--file", s, "--method", method, "--offset", "1K", "--len", "1M",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let sent = stdout(&o);
        assert_eq!(sent.lines().count(), 1);
        assert_eq!(json_uint(&sent, "bytes"), 1 << 20);
        assert!(sent.contains("\"truncated\":false"), "{sent}");
        let mut got = String::new();
        out.read_line(&mut got).unwrap();
        assert_eq!(json_uint(&got, "bytes"), 1 << 20);
        assert_eq!(json_str(&got, "sha256"), json_str(&sent, "sha256"));
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(std::fs::metadata(&dst).unwrap().len(), 1 << 20);
    for p in [src, dst, ready] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn rr_via_cli() {
    let (mut child, mut out, port) = start_server(&["rr-server"]);
    let o = run(&[
        "rr",
        "--to",
        &format!("127.0.0.1:{port}"),
        "--count",
        "50",
        "--size",
        "64",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = stdout(&o);
    assert_eq!(json_uint(&line, "transactions"), 50);
    for key in ["\"seconds\":", "\"tps\":", "\"p50_us\":", "\"p99_us\":"] {
        assert!(line.contains(key), "{line}");
    }
    let mut echoed = String::new();
    out.read_line(&mut echoed).unwrap();
    assert_eq!(json_uint(&echoed, "echoed_bytes"), 50 * 64);
    assert!(child.wait().unwrap().success());
}
