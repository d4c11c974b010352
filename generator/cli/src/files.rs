//! Local files: folders checked before work starts, owner-only atomic
//! writes, and the media of `--upload`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use discovery_runtime::media::Media;

use crate::exit::EXIT_LOCAL;
use crate::printable;

/// Makes `dir` if needed and checks, by writing a file into it, that this
/// user can write there: a folder that cannot take the files is found
/// before a session is created or any transfer starts.
pub fn writable_folder(dir: &Path, tool: &str) -> Result<(), ExitCode> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        eprintln!(
            "error: {what} {}: {e}",
            printable(&dir.display().to_string())
        );
        ExitCode::from(EXIT_LOCAL)
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("cannot create", &e))?;
    let probe = dir.join(format!(".{tool}-write-check-{}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe);
    match file {
        Ok(file) => {
            drop(file);
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(fail("cannot write into", &e)),
    }
}

/// Creates the folder `dir` owner-only, or makes it owner-only.
pub fn owner_only_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    builder.create(dir)?;
    Ok(())
}

/// The name of the temporary file [`write_atomically`] writes `name` through.
pub fn temp_name(name: &str) -> String {
    format!(".{name}.tmp-{}", std::process::id())
}

/// Replaces `dir/name` with `bytes` (owner-only): a temporary file in the
/// same folder, synced, then renamed over it, so the file is always whole,
/// and a link at its name is replaced, not followed.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let temp = dir.join(temp_name(name));
    let _ = std::fs::remove_file(&temp); // left over by a crashed run
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, dir.join(name))?;
        // Makes the rename itself durable.
        #[cfg(unix)]
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// `--upload FILE`: the file as media of `content_type`. Checked to be a
/// regular file before it is opened (opening a FIFO would block) and after.
pub async fn upload_media(path: &str, content_type: &str) -> Result<Media, String> {
    let not_regular = || format!("--upload: {path} is not a regular file");
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("--upload: cannot read {path}: {e}"))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("--upload: cannot open {path}: {e}"))?;
    let meta = file
        .metadata()
        .await
        .map_err(|e| format!("--upload: cannot read {path}: {e}"))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    Ok(Media::from_reader(
        file,
        Some(meta.len()),
        content_type.to_owned(),
    ))
}
