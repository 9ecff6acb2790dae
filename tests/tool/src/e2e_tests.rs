//! Loopback end-to-end tests of `send` against `recv` for every method.

use crate::files::tests::TempPath;
use crate::files::{hex, make_file, sha256_region};
use crate::net::{listen, ListenSpec};
use crate::recv::{receive, RecvResult};
use crate::send::{send, Method, SendOutcome, SendReport, SendSpec};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// 3 MiB + 17 bytes: not a multiple of any page, chunk or pipe size.
const FILE_SIZE: u64 = (3 << 20) + 17;
/// Upper bound for any single transfer test, so a bug shows up as a failure
/// rather than a hung test run.
const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `f` on its own thread and fails the test if it takes too long.
fn with_timeout<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(TEST_TIMEOUT) {
        Ok(v) => v,
        Err(e) => panic!("{what}: no result within {TEST_TIMEOUT:?} ({e})"),
    }
}

/// Starts a one-connection receiver on 127.0.0.1. `before_read` runs after
/// accept and before the first read (used to hold data in flight).
fn spawn_receiver(
    rcvbuf: Option<usize>,
    before_read: impl FnOnce() + Send + 'static,
) -> (u16, thread::JoinHandle<RecvResult>) {
    let (listener, port) = listen(&ListenSpec {
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        rcvbuf,
    })
    .expect("listen on 127.0.0.1");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        before_read();
        receive(&mut stream, None).expect("receive")
    });
    (port, handle)
}

/// A placeholder for the address [`send_to_receiver`] fills in.
const UNSET: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::UNSPECIFIED,
    0,
));

/// Sends `spec` to a fresh loopback receiver (its address replaced by the
/// receiver's); the outcome and what the receiver got.
fn send_to_receiver(mut spec: SendSpec) -> (SendOutcome, RecvResult) {
    with_timeout(spec.method.name(), move || {
        let (port, receiver) = spawn_receiver(None, || {});
        spec.to = SocketAddr::from(([127, 0, 0, 1], port));
        let outcome = send(&spec).unwrap_or_else(|e| panic!("send {}: {e}", spec.method.name()));
        (outcome, receiver.join().expect("receiver thread"))
    })
}

/// Sends `path[offset..offset+len]` with `method` over loopback and checks
/// that sender and receiver agree with an independent hash of the region.
fn transfer_and_check(
    path: &Path,
    method: Method,
    offset: u64,
    len: Option<u64>,
    chunk: Option<usize>,
) -> SendReport {
    transfer_and_check_scattered(path, method, offset, len, chunk, None)
}

/// Whether this host's kernel lets the tests use `method`: a machine may
/// refuse io_uring (`kernel.io_uring_disabled`, a container's seccomp
/// filter). The guest kernel has it, and the copy table uses it there.
fn host_can(method: Method) -> bool {
    if method != Method::IoUringZc {
        return true;
    }
    match crate::uring::Uring::new(8) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("io-uring-zc not tested here: io_uring_setup: {e}");
            false
        }
    }
}

/// [`transfer_and_check`], with the zerocopy data scattered in memory.
fn transfer_and_check_scattered(
    path: &Path,
    method: Method,
    offset: u64,
    len: Option<u64>,
    chunk: Option<usize>,
    scatter: Option<usize>,
) -> SendReport {
    let expected_len = len.unwrap_or(FILE_SIZE - offset);
    let (n, expected_sha) = sha256_region(path, offset, Some(expected_len)).unwrap();
    assert_eq!(n, expected_len);
    let (report, received) = send_to_receiver(SendSpec {
        to: UNSET,
        file: path.to_path_buf(),
        method,
        offset,
        len,
        chunk,
        extra_headers: Default::default(),
        scatter,
        repeat_for: None,
    });
    let report = match report {
        SendOutcome::Done(r) => r,
        SendOutcome::Unsupported { reason, .. } => {
            panic!("{} unsupported: {reason}", method.name())
        }
    };
    let name = method.name();
    assert!(!report.truncated, "{name}");
    assert_eq!(report.bytes, expected_len, "{name} sent");
    assert_eq!(received.bytes, expected_len, "{name} received");
    assert_eq!(received.sha256, expected_sha, "{name} received content");
    assert_eq!(report.sha256, expected_sha, "{name} reported sha");
    assert!(report.syscalls > 0, "{name} counted no syscalls");
    assert!(report.seconds > 0.0);
    let line = report.to_json().finish();
    assert!(
        line.starts_with(&format!(
            "{{\"method\":\"{name}\",\"bytes\":{expected_len},"
        )),
        "{line}"
    );
    for key in [
        "\"seconds\":",
        "\"mib_per_s\":",
        "\"syscalls\":",
        "\"vol_ctx_switches\":",
        "\"invol_ctx_switches\":",
        "\"user_s\":",
        "\"sys_s\":",
        "\"truncated\":false",
        "\"sha256\":",
    ] {
        assert!(line.contains(key), "{key} missing in {line}");
    }
    report
}

#[test]
fn every_method_sends_region_to_end_of_file() {
    let file = TempPath::new("e2e-tail");
    make_file(&file.0, FILE_SIZE, 11).unwrap();
    for method in Method::ALL.into_iter().filter(|&m| host_can(m)) {
        // An offset that is not page aligned exercises mmap's alignment fix-up.
        transfer_and_check(&file.0, method, 4099, None, None);
    }
}

#[test]
fn every_method_sends_inner_region_with_odd_chunk() {
    let file = TempPath::new("e2e-inner");
    make_file(&file.0, FILE_SIZE, 12).unwrap();
    for method in Method::ALL.into_iter().filter(|&m| host_can(m)) {
        transfer_and_check(&file.0, method, 1_000_001, Some(1_500_017), Some(65_537));
    }
}

#[test]
fn every_method_repeats_the_region_for_the_time_asked() {
    let file = TempPath::new("e2e-repeat");
    make_file(&file.0, FILE_SIZE, 14).unwrap();
    let (offset, len) = (4099u64, 100_003u64);
    let data = std::fs::read(&file.0).unwrap();
    let region = &data[offset as usize..(offset + len) as usize];
    for method in Method::ALL.into_iter().filter(|&m| host_can(m)) {
        let (outcome, received) = send_to_receiver(SendSpec {
            to: UNSET,
            file: file.0.clone(),
            method,
            offset,
            len: Some(len),
            chunk: None,
            extra_headers: Default::default(),
            scatter: None,
            repeat_for: Some(Duration::from_millis(300)),
        });
        let SendOutcome::Done(report) = outcome else {
            panic!("{} unsupported", method.name());
        };
        let name = method.name();
        assert!(report.passes >= 2, "{name}: {} passes", report.passes);
        assert!(report.seconds >= 0.3, "{name}: {} s", report.seconds);
        assert_eq!(report.bytes, report.passes * len, "{name} sent");
        assert_eq!(received.bytes, report.bytes, "{name} received");
        let mut hasher = Sha256::new();
        for _ in 0..report.passes {
            hasher.update(region);
        }
        let expected = hex(&hasher.finalize());
        assert_eq!(report.sha256, expected, "{name} reported sha");
        assert_eq!(received.sha256, expected, "{name} received content");
        let line = report.to_json().finish();
        assert!(
            line.contains(&format!("\"passes\":{},", report.passes)),
            "{line}"
        );
    }
}

#[test]
fn every_method_handles_empty_region() {
    let file = TempPath::new("e2e-empty");
    make_file(&file.0, FILE_SIZE, 13).unwrap();
    for method in Method::ALL.into_iter().filter(|&m| host_can(m)) {
        transfer_and_check(&file.0, method, FILE_SIZE, None, None);
    }
}

#[test]
fn zerocopy_on_loopback_reports_copied_completions() {
    let file = TempPath::new("e2e-zc");
    make_file(&file.0, FILE_SIZE, 14).unwrap();
    let report = transfer_and_check(&file.0, Method::Zerocopy, 17, None, None);
    let zc = report.zc.expect("zerocopy stats");
    assert!(zc.sends > 0);
    assert_eq!(zc.completions, zc.sends, "{zc:?}");
    assert!(zc.notifications >= 1);
    // Loopback delivery must copy the pages into the receiving socket, so the
    // kernel flags the completions as copied.
    assert_eq!(zc.copied_completions, zc.completions, "{zc:?}");
    let line = report.to_json().finish();
    assert!(line.contains("\"zc_completions\":") && line.contains("\"zc_copied_completions\":"));
}

#[test]
fn io_uring_send_zc_on_loopback_waits_for_every_notification() {
    if !host_can(Method::IoUringZc) {
        return;
    }
    let file = TempPath::new("e2e-uring");
    make_file(&file.0, FILE_SIZE, 16).unwrap();
    let report = transfer_and_check(&file.0, Method::IoUringZc, 5, None, Some(40_000));
    let zc = report.zc.expect("SEND_ZC stats");
    // One send per 40,000 bytes at least (a send may be short), and a
    // notification for each before the buffer was let go.
    assert!(zc.sends >= (FILE_SIZE - 5).div_ceil(40_000), "{zc:?}");
    assert_eq!(zc.notifications, zc.sends, "{zc:?}");
    // Loopback copies into the receiving socket, and the kernel says so.
    assert_eq!(zc.copied_completions, zc.notifications, "{zc:?}");
}

#[test]
fn zerocopy_scattered_sends_the_region_in_order() {
    let file = TempPath::new("e2e-zc-scatter");
    make_file(&file.0, FILE_SIZE, 15).unwrap();
    // Odd piece, offset and chunk sizes: sends end mid-piece.
    for (piece, chunk) in [(1000, None), (333, Some(70_001)), (1, Some(4096))] {
        let report = transfer_and_check_scattered(
            &file.0,
            Method::Zerocopy,
            5,
            Some(300_000),
            chunk,
            Some(piece),
        );
        assert_eq!(report.bytes, 300_000);
    }
}

#[test]
fn scatter_needs_zerocopy() {
    let file = TempPath::new("e2e-scatter-rw");
    make_file(&file.0, 1000, 1).unwrap();
    let spec = SendSpec {
        to: SocketAddr::from(([127, 0, 0, 1], 9)),
        file: file.0.clone(),
        method: Method::Sendfile,
        offset: 0,
        len: None,
        chunk: None,
        extra_headers: Default::default(),
        scatter: Some(1000),
        repeat_for: None,
    };
    let err = send(&spec).unwrap_err();
    assert!(err.to_string().contains("--scatter needs"), "{err}");
}

#[test]
fn region_beyond_end_is_rejected() {
    let file = TempPath::new("e2e-bad");
    make_file(&file.0, 1000, 1).unwrap();
    for (offset, len) in [(1001, None), (10, Some(991)), (u64::MAX, Some(2))] {
        let spec = SendSpec {
            // Never contacted: the region is validated before connecting.
            to: SocketAddr::from(([127, 0, 0, 1], 9)),
            file: file.0.clone(),
            method: Method::Sendfile,
            offset,
            len,
            chunk: None,
            extra_headers: Default::default(),
            scatter: None,
            repeat_for: None,
        };
        let err = send(&spec).unwrap_err();
        assert!(err.to_string().contains("beyond the end"), "{err}");
    }
}

#[test]
fn connection_refused_is_a_clean_error() {
    let file = TempPath::new("e2e-refused");
    make_file(&file.0, 1000, 1).unwrap();
    // Bind and drop to find a port with (almost certainly) no listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = SendSpec {
        to: SocketAddr::from(([127, 0, 0, 1], port)),
        file: file.0.clone(),
        method: Method::ReadWrite,
        offset: 0,
        len: None,
        chunk: None,
        extra_headers: Default::default(),
        scatter: None,
        repeat_for: None,
    };
    let err = send(&spec).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("connect to 127.0.0.1:{port}: ")),
        "{err}"
    );
}

#[test]
fn sendfile_stops_when_file_is_truncated_mid_send() {
    const BIG: u64 = 64 << 20;
    const CUT: u64 = 16 << 20;
    const OFFSET: u64 = 4096;
    let file = TempPath::new("e2e-trunc");
    make_file(&file.0, BIG, 21).unwrap();
    let path = file.0.clone();
    let (report, received) = with_timeout("truncated sendfile", move || {
        let (accepted_tx, accepted_rx) = mpsc::channel::<()>();
        let (cut_tx, cut_rx) = mpsc::channel::<()>();
        // A small receive buffer bounds the data in flight to a few MiB, so
        // the sender is still blocked well below CUT when the cut happens.
        let (port, receiver) = spawn_receiver(Some(64 << 10), move || {
            accepted_tx.send(()).unwrap();
            cut_rx.recv().unwrap();
        });
        let cut_path = path.clone();
        let cutter = thread::spawn(move || {
            accepted_rx.recv().unwrap();
            thread::sleep(Duration::from_millis(300));
            std::fs::OpenOptions::new()
                .write(true)
                .open(&cut_path)
                .and_then(|f| f.set_len(CUT))
                .expect("truncate");
            cut_tx.send(()).unwrap();
        });
        let spec = SendSpec {
            to: SocketAddr::from(([127, 0, 0, 1], port)),
            file: path,
            method: Method::Sendfile,
            offset: OFFSET,
            len: None,
            chunk: None,
            extra_headers: Default::default(),
            scatter: None,
            repeat_for: None,
        };
        let outcome = send(&spec).expect("send");
        cutter.join().unwrap();
        (outcome, receiver.join().unwrap())
    });
    let SendOutcome::Done(report) = report else {
        panic!("sendfile reported unsupported");
    };
    assert!(report.truncated, "{report:?}");
    assert_eq!(report.bytes, CUT - OFFSET);
    assert_eq!(received.bytes, CUT - OFFSET);
    assert_eq!(received.sha256, report.sha256);
    let (_, expected) = sha256_region(&file.0, OFFSET, None).unwrap();
    assert_eq!(report.sha256, expected);
    assert!(report.to_json().finish().contains("\"truncated\":true"));
}
