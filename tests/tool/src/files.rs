//! Test-file generation (`mkfile`) and hashing (`sha256`).

use crate::error::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Size of the write buffer used by `mkfile`.
const MKFILE_CHUNK: usize = 1 << 20;
/// Read buffer size used when hashing files.
const HASH_CHUNK: usize = 1 << 20;

/// Deterministic pseudo-random byte stream (xorshift64*).
///
/// The byte at position `i` depends only on the seed and `i`, so a smaller file
/// made with the same seed is always a prefix of a larger one.
#[derive(Debug, Clone)]
pub struct PatternGen {
    state: u64,
}

impl PatternGen {
    /// Creates a generator for `seed` (any value, including 0, is valid).
    pub fn new(seed: u64) -> Self {
        // splitmix64 spreads nearby seeds apart; xorshift must not start at 0.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        PatternGen {
            state: if z == 0 { 0x2545_F491_4F6C_DD1D } else { z },
        }
    }

    fn next_word(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Fills `buf` with the next `buf.len()` bytes of the stream. `buf.len()`
    /// must be a multiple of 8 except for the final call.
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut words = buf.chunks_exact_mut(8);
        for w in &mut words {
            w.copy_from_slice(&self.next_word().to_le_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            let bytes = self.next_word().to_le_bytes();
            tail.copy_from_slice(&bytes[..tail.len()]);
        }
    }
}

/// Creates (or truncates) `path` and writes `size` bytes of the seed's pattern.
pub fn make_file(path: &Path, size: u64, seed: u64) -> Result<()> {
    let shown = path.display();
    let mut file = File::create(path).ctx(|| format!("create {shown}"))?;
    let mut gen = PatternGen::new(seed);
    let mut buf = vec![0u8; MKFILE_CHUNK];
    let mut left = size;
    while left > 0 {
        let n = left.min(MKFILE_CHUNK as u64) as usize;
        gen.fill(&mut buf[..n]);
        file.write_all(&buf[..n]).ctx(|| format!("write {shown}"))?;
        left -= n as u64;
    }
    file.sync_all().ctx(|| format!("fsync {shown}"))?;
    Ok(())
}

/// Lowercase hex encoding of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes up to `len` bytes of `path` starting at `offset` (`None` = to EOF).
/// Returns the number of bytes actually hashed (less than `len` if the file
/// is shorter) and the hex digest.
pub fn sha256_region(path: &Path, offset: u64, len: Option<u64>) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let done = hash_region(&mut hasher, path, offset, len)?;
    Ok((done, hex(&hasher.finalize())))
}

/// The SHA-256 of `passes` copies of the `len` bytes of `path` at `offset`
/// followed by the first `tail` bytes of the same region: what a send that
/// went round the region again and again put on the wire.
pub fn sha256_passes(path: &Path, offset: u64, len: u64, passes: u64, tail: u64) -> Result<String> {
    let mut hasher = Sha256::new();
    for _ in 0..passes {
        hash_region(&mut hasher, path, offset, Some(len))?;
    }
    hash_region(&mut hasher, path, offset, Some(tail))?;
    Ok(hex(&hasher.finalize()))
}

/// Feeds up to `len` bytes of `path` from `offset` (`None` = to EOF) to
/// `hasher`; returns how many there were.
fn hash_region(hasher: &mut Sha256, path: &Path, offset: u64, len: Option<u64>) -> Result<u64> {
    let shown = path.display();
    let mut file = File::open(path).ctx(|| format!("open {shown}"))?;
    file.seek(SeekFrom::Start(offset))
        .ctx(|| format!("seek {shown}"))?;
    let mut buf = vec![0u8; HASH_CHUNK];
    let mut done = 0u64;
    loop {
        let want = match len {
            Some(l) => (l - done).min(HASH_CHUNK as u64) as usize,
            None => HASH_CHUNK,
        };
        if want == 0 {
            break;
        }
        let n = match file.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).ctx(|| format!("read {shown}")),
        };
        hasher.update(&buf[..n]);
        done += n as u64;
    }
    Ok(done)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A unique scratch path under the system temp dir, removed on drop.
    pub(crate) struct TempPath(pub std::path::PathBuf);

    impl TempPath {
        pub(crate) fn new(tag: &str) -> Self {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            TempPath(std::env::temp_dir().join(format!(
                "sgnic-test-{}-{}-{}",
                std::process::id(),
                tag,
                n
            )))
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn same_seed_same_content() {
        let a = TempPath::new("a");
        let b = TempPath::new("b");
        let c = TempPath::new("c");
        let size = 3 * (1 << 20) + 13;
        make_file(&a.0, size, 7).unwrap();
        make_file(&b.0, size, 7).unwrap();
        make_file(&c.0, size, 8).unwrap();
        let (na, ha) = sha256_region(&a.0, 0, None).unwrap();
        let (_, hb) = sha256_region(&b.0, 0, None).unwrap();
        let (_, hc) = sha256_region(&c.0, 0, None).unwrap();
        assert_eq!(na, size);
        assert_eq!(std::fs::metadata(&a.0).unwrap().len(), size);
        assert_eq!(ha, hb);
        assert_ne!(ha, hc);
    }

    #[test]
    fn smaller_file_is_prefix_of_larger() {
        let small = TempPath::new("s");
        let big = TempPath::new("b");
        make_file(&small.0, 1_000_003, 42).unwrap();
        make_file(&big.0, 2_500_000, 42).unwrap();
        let (_, hs) = sha256_region(&small.0, 0, None).unwrap();
        let (n, hb) = sha256_region(&big.0, 0, Some(1_000_003)).unwrap();
        assert_eq!(n, 1_000_003);
        assert_eq!(hs, hb);
    }

    #[test]
    fn known_digests() {
        let empty = TempPath::new("e");
        make_file(&empty.0, 0, 1).unwrap();
        let (n, h) = sha256_region(&empty.0, 0, None).unwrap();
        assert_eq!(n, 0);
        assert_eq!(
            h,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn content_is_not_trivial() {
        let mut buf = vec![0u8; 4096];
        PatternGen::new(0).fill(&mut buf);
        let zeros = buf.iter().filter(|&&b| b == 0).count();
        assert!(zeros < 64, "too many zero bytes: {zeros}");
    }

    #[test]
    fn missing_file_is_an_error() {
        let err = sha256_region(Path::new("/nonexistent/x"), 0, None).unwrap_err();
        assert!(err.to_string().starts_with("open /nonexistent/x: "));
    }
}
