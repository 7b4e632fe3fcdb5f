//! One file read and written safely: a read bounded in size that refuses what is not a regular
//! file, and an atomic write (a temporary file beside it, synced, renamed over it).

use std::path::Path;

/// The largest budget, settings, policy, signers, proposal, triage or ledger file read, in bytes.
pub const MAX_TEXT_BYTES: u64 = 32 << 20;

/// The largest history file read, in bytes: a history grows by files (one per import), and one
/// file larger than this is refused with its size before it is read, so it cannot exhaust memory
/// (loaded, a history takes several times its text until the per-metric value columns land).
pub const MAX_HISTORY_BYTES: u64 = 256 << 20;

/// Reads a regular file (a symbolic link to one is followed) of at most `limit_bytes` as UTF-8.
/// A device, FIFO or socket is refused before it is opened (`/dev/zero` never ends, a FIFO
/// never answers), and a file larger than the limit is refused with its size, so no file can
/// make a read hang or exhaust memory.
pub fn read_text(path: &Path, limit_bytes: u64) -> std::io::Result<String> {
    use std::io::Read;
    let size = readable_size(path, limit_bytes)?;
    let too_large = |size: u64| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{size} bytes, over the limit of {limit_bytes} bytes for such a file"))
    };
    let file = std::fs::File::open(path)?;
    // The file may have been swapped or grown since: read one byte past the limit at most.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}")))
}

/// The size of a regular file (a symbolic link to one is followed) that [`read_text`] would read:
/// a device, FIFO or socket, or a file larger than `limit_bytes`, is an error saying so.
pub fn readable_size(path: &Path, limit_bytes: u64) -> std::io::Result<u64> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file (a folder, device, FIFO or socket)"));
    }
    if meta.len() > limit_bytes {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} bytes, over the limit of {limit_bytes} bytes for such a file", meta.len()),
        ));
    }
    Ok(meta.len())
}

/// Writes a file atomically: a temporary file beside it, flushed to disk, then renamed over it.
/// A crash mid-write leaves the old file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        // Make the rename itself durable where the platform allows opening a folder.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
