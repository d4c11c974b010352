//! The transfer benchmark (`bench transfer`): uploads and downloads of 100 MiB
//! and 1 GiB files through the library, the `photoslibrary` CLI and curl (and
//! an upload through the runtime's discovery-format media upload, drive-v3),
//! against the transfer server (`transfer_server.rs`) in its own process, and
//! 200 small files through the CLI against a server that delays every answer.
//!
//! Every client is a child process of its own, measured by `wait4` (wall
//! time, user + system CPU, `ru_maxrss`), so curl and ours are measured the
//! same way. `ru_maxrss` of an exec'd child is at least the peak RSS of the
//! process it was spawned from (Linux keeps the old address space's
//! high-water mark across exec, and posix_spawn shares the parent's), so this
//! process stays small and `/bin/true` is measured as the floor.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::transfer_server::{hash_file, Hash};

const MIB: u64 = 1 << 20;

/// What `wait4` says about a finished child.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    wall: Duration,
    user: Duration,
    sys: Duration,
    maxrss_kib: i64,
}

impl Usage {
    fn cpu(&self) -> Duration {
        self.user + self.sys
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::new(t.tv_sec.max(0) as u64, (t.tv_usec.max(0) as u32) * 1000)
}

/// Runs `cmd` to its end (killed after `timeout`), its output into files in
/// `logs`; its usage and standard output.
fn measure(cmd: &mut Command, timeout: Duration, logs: &Path) -> Result<(Usage, String), String> {
    let out_path = logs.join("stdout");
    let err_path = logs.join("stderr");
    let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = std::fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: wait4 on our own child, writing into values we own.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            return Err(format!("wait4: {}", std::io::Error::last_os_error()));
        }
        if start.elapsed() > timeout && !killed {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let wall = start.elapsed();
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    if killed {
        return Err(format!("{cmd:?}: killed after {timeout:?}"));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        return Err(format!(
            "{cmd:?} failed (status {status}): {}{}",
            stdout.chars().take(2000).collect::<String>(),
            stderr.chars().take(2000).collect::<String>()
        ));
    }
    Ok((
        Usage {
            wall,
            user: tv(usage.ru_utime),
            sys: tv(usage.ru_stime),
            maxrss_kib: usage.ru_maxrss,
        },
        stdout,
    ))
}

/// A running server process and its base URL.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path, delay_ms: u64) -> Server {
        let exe = std::env::current_exe().expect("current exe");
        let mut child = Command::new(exe)
            .args(["transfer-server", "--dir"])
            .arg(dir)
            .args(["--delay-ms", &delay_ms.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the transfer server");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("server port");
        let port = line.trim().parse().expect("server port");
        Server { child, port }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// One request with a tiny blocking client; the answer's body.
    fn call(&self, method: &str, path: &str) -> Result<String, String> {
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    return Ok(String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned());
                }
            }
            if buf.len() > 1 << 20 {
                return Err("answer too long".into());
            }
        }
    }

    fn stats(&self) -> serde_json::Value {
        self.call("GET", "/bench/stats")
            .ok()
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    fn reset(&self) {
        let _ = self.call("POST", "/bench/reset");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `len` pseudo-random bytes (seeded) to `path`, 256 KiB at a time;
/// returns their hash.
fn make_file(path: &Path, len: u64, seed: u64) -> std::io::Result<u64> {
    let mut file = std::io::BufWriter::with_capacity(0, std::fs::File::create(path)?);
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut buf = vec![0u8; 256 * 1024];
    let mut hash = Hash::default();
    let mut left = len;
    while left > 0 {
        for word in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        file.write_all(&buf[..n])?;
        hash.update(&buf[..n]);
        left -= n as u64;
    }
    file.flush()?;
    Ok(hash.finish())
}

/// Peak RSS of this process (KiB).
fn own_hwm_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(-1)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scenario {
    CurlUp,
    LibUp,
    CliUp,
    MediaUp,
    CurlDown,
    CurlDownSync,
    LibDown,
    CliDown,
}

impl Scenario {
    const ALL: [Scenario; 8] = [
        Scenario::CurlUp,
        Scenario::LibUp,
        Scenario::CliUp,
        Scenario::MediaUp,
        Scenario::CurlDown,
        Scenario::CurlDownSync,
        Scenario::LibDown,
        Scenario::CliDown,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::CurlUp => "upload: curl -T (PUT)",
            Scenario::LibUp => "upload: library `uploads().file().send()`",
            Scenario::CliUp => "upload: CLI `photoslibrary upload`",
            Scenario::MediaUp => {
                "upload: runtime media upload (drive-v3 `files.create`, resumable above 5 MiB)"
            }
            Scenario::CurlDown => "download: curl -o",
            Scenario::CurlDownSync => "download: curl -o, then `sync FILE`",
            Scenario::LibDown => "download: library `download_media_item_to`",
            Scenario::CliDown => "download: CLI `photoslibrary download`",
        }
    }

    fn upload(self) -> bool {
        matches!(
            self,
            Scenario::CurlUp | Scenario::LibUp | Scenario::CliUp | Scenario::MediaUp
        )
    }

    /// The floor this scenario's ratios are taken against.
    fn floor(self) -> Scenario {
        if self.upload() {
            Scenario::CurlUp
        } else {
            Scenario::CurlDown
        }
    }
}

struct Setup {
    exe: PathBuf,
    cli: PathBuf,
    tmp: PathBuf,
    base: String,
}

impl Setup {
    /// The command of `scenario` for `file` (its media id is its name).
    fn command(&self, scenario: Scenario, file: &Path, out: &Path) -> Command {
        let id = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let url = format!("{}media/{id}=dv", self.base);
        match scenario {
            Scenario::CurlUp => {
                let mut c = Command::new("curl");
                c.args(["-sS", "--fail", "-T"])
                    .arg(file)
                    .arg(format!("{}bench/put", self.base));
                c
            }
            Scenario::LibUp => {
                let mut c = Command::new(&self.exe);
                c.args(["transfer-client", "upload", &self.base]).arg(file);
                c
            }
            Scenario::MediaUp => {
                let mut c = Command::new(&self.exe);
                c.args(["transfer-client", "media-upload", &self.base])
                    .arg(file);
                c
            }
            Scenario::CliUp => {
                let mut c = self.cli();
                c.arg("upload")
                    .arg(file)
                    .arg("--state")
                    .arg(out.join("state.json"))
                    .args(["--force", "--jobs", "1"]);
                c
            }
            Scenario::CurlDown => {
                let mut c = Command::new("curl");
                c.args(["-sS", "--fail", "-o"]).arg(out.join(&id)).arg(url);
                c
            }
            Scenario::CurlDownSync => {
                let mut c = Command::new("sh");
                c.args([
                    "-c",
                    "curl -sS --fail -o \"$1\" \"$2\" && sync \"$1\"",
                    "sh",
                ])
                .arg(out.join(&id))
                .arg(url);
                c
            }
            Scenario::LibDown => {
                let mut c = Command::new(&self.exe);
                c.args(["transfer-client", "download", &self.base, &id])
                    .arg(out);
                c
            }
            Scenario::CliDown => {
                let mut c = self.cli();
                c.args(["download", "--album", &id, "--jobs", "1", "--out"])
                    .arg(out);
                c
            }
        }
    }

    fn cli(&self) -> Command {
        let mut c = Command::new(&self.cli);
        c.env("PHOTOSLIBRARY_CONFIG_DIR", self.tmp.join("config"))
            .args(["--base-url", &self.base, "--token", "ya29.bench"]);
        c
    }
}

/// The one regular file in `dir` whose name does not start with a dot.
fn only_file(dir: &Path) -> Option<PathBuf> {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| e.file_name() != "state.json")
        .map(|e| e.path())
        .collect();
    (files.len() == 1).then(|| files[0].clone())
}

struct Row {
    scenario: Scenario,
    size_mib: u64,
    runs: Vec<Usage>,
    requests: Vec<u64>,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub fn run(args: &[String]) {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let exe = std::env::current_exe().expect("current exe");
    let cli = PathBuf::from(flag("--cli").unwrap_or_else(|| "photoslibrary".into()));
    let sizes: Vec<u64> = flag("--sizes")
        .unwrap_or_else(|| "100,1024".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs_for = |mib: u64| -> usize {
        flag("--runs")
            .and_then(|r| r.parse().ok())
            .unwrap_or(if mib >= 1024 { 3 } else { 5 })
    };
    let only: Option<String> = flag("--only");
    let small = !args.iter().any(|a| a == "--no-small");
    let tmp = PathBuf::from(flag("--tmp").unwrap_or_else(|| {
        std::env::temp_dir()
            .join(format!("bench-transfer-{}", std::process::id()))
            .to_string_lossy()
            .into_owned()
    }));
    let media = tmp.join("media");
    std::fs::create_dir_all(&media).expect("temp dir");
    std::fs::create_dir_all(tmp.join("config")).expect("temp dir");
    let logs = tmp.join("logs");
    std::fs::create_dir_all(&logs).expect("temp dir");
    let load_before = loadavg();
    eprintln!("temp dir {}; load average {load_before}", tmp.display());

    let mut files = Vec::new();
    for &mib in &sizes {
        let path = media.join(format!("media-{mib}m.mp4"));
        let hash = make_file(&path, mib * MIB, mib).expect("create the media file");
        files.push((mib, path, hash));
    }
    let server = Server::start(&media, 0);
    let setup = Setup {
        exe: exe.clone(),
        cli: cli.clone(),
        tmp: tmp.clone(),
        base: server.base(),
    };

    // The floor every child's ru_maxrss includes (see the module docs).
    let floor = (0..3)
        .filter_map(|_| measure(&mut Command::new("true"), Duration::from_secs(10), &logs).ok())
        .map(|(u, _)| u.maxrss_kib)
        .min()
        .unwrap_or(-1);

    let mut rows: Vec<Row> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (mib, path, hash) in &files {
        let timeout = Duration::from_secs(120 + mib / 2);
        for round in 0..runs_for(*mib) {
            // Every other round runs backwards, so no scenario always
            // follows the same one (a download after a synced 1 GiB write
            // or a deleted one ran up to 2x slower in a fixed order).
            let mut order = Scenario::ALL.to_vec();
            if round % 2 == 1 {
                order.reverse();
            }
            for scenario in order {
                if only
                    .as_deref()
                    .is_some_and(|o| !format!("{scenario:?}").eq_ignore_ascii_case(o))
                    && !(scenario == scenario.floor() && only.is_some())
                {
                    continue;
                }
                let out = tmp.join("out");
                let _ = std::fs::remove_dir_all(&out);
                std::fs::create_dir_all(&out).expect("out dir");
                // Each run starts with no dirty pages waiting for the disk
                // (the previous run's, or another process's).
                let _ = measure(&mut Command::new("sync"), Duration::from_secs(120), &logs);
                server.reset();
                let mut cmd = setup.command(scenario, path, &out);
                let result = measure(&mut cmd, timeout, &logs);
                let stats = server.stats();
                let checked = result.and_then(|(usage, _)| {
                    if scenario.upload() {
                        let len = stats["last_len"].as_u64().unwrap_or(0);
                        let got = stats["last_hash"].as_str().unwrap_or("").to_owned();
                        if len != mib * MIB || got != format!("{hash:016x}") {
                            return Err(format!(
                                "{scenario:?} {mib} MiB: the server got {len} bytes, hash {got} (want {hash:016x}); {stats}"
                            ));
                        }
                    } else {
                        let file = only_file(&out)
                            .ok_or_else(|| format!("{scenario:?}: no downloaded file"))?;
                        let (len, got) = hash_file(&file).map_err(|e| e.to_string())?;
                        if len != mib * MIB || got != *hash {
                            return Err(format!(
                                "{scenario:?} {mib} MiB: downloaded {len} bytes, hash {got:016x} (want {hash:016x})"
                            ));
                        }
                    }
                    if !stats["violations"].as_array().is_none_or(Vec::is_empty)
                        || !stats["errors"].as_array().is_none_or(Vec::is_empty)
                    {
                        return Err(format!("{scenario:?}: the server reports {stats}"));
                    }
                    Ok(usage)
                });
                let _ = std::fs::remove_dir_all(&out);
                match checked {
                    Ok(usage) => {
                        eprintln!(
                            "{mib} MiB round {round} {scenario:?}: wall {:.3} s, cpu {:.3} s, rss {} KiB",
                            secs(usage.wall),
                            secs(usage.cpu()),
                            usage.maxrss_kib
                        );
                        let requests = if scenario.upload() {
                            stats["upload_requests"].as_u64().unwrap_or(0)
                        } else {
                            stats["requests"].as_u64().unwrap_or(0)
                        };
                        match rows
                            .iter_mut()
                            .find(|r| r.scenario == scenario && r.size_mib == *mib)
                        {
                            Some(row) => {
                                row.runs.push(usage);
                                row.requests.push(requests);
                            }
                            None => rows.push(Row {
                                scenario,
                                size_mib: *mib,
                                runs: vec![usage],
                                requests: vec![requests],
                            }),
                        }
                    }
                    Err(e) => {
                        eprintln!("FAILED: {e}");
                        failures.push(e);
                    }
                }
            }
        }
    }
    drop(server);

    let small_rows = if small {
        many_small_files(&setup, &tmp, &logs, &mut failures)
    } else {
        Vec::new()
    };
    let load_after = loadavg();

    // The tables, ready to paste.
    println!();
    println!(
        "Load average (1, 5, 15 min): {load_before} before, {load_after} after. \
         Peak RSS floor (`/bin/true` spawned by the benchmark): {floor} KiB \
         (the benchmark's own peak: {} KiB).",
        own_hwm_kib()
    );
    println!();
    println!("| scenario | size | runs | wall (s) | CPU user+sys (s) | peak RSS (MiB) | wall / curl | CPU / curl | requests |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        let wall = median(row.runs.iter().map(|u| secs(u.wall)).collect());
        let cpu = median(row.runs.iter().map(|u| secs(u.cpu())).collect());
        let user = median(row.runs.iter().map(|u| secs(u.user)).collect());
        let sys = median(row.runs.iter().map(|u| secs(u.sys)).collect());
        let rss = median(row.runs.iter().map(|u| u.maxrss_kib).collect()) as f64 / 1024.0;
        let floor_row = rows
            .iter()
            .find(|r| r.scenario == row.scenario.floor() && r.size_mib == row.size_mib);
        let ratio = |f: fn(&Usage) -> f64, mine: f64| {
            floor_row.map_or_else(
                || "-".to_owned(),
                |fr| {
                    format!(
                        "{:.2}",
                        mine / median(fr.runs.iter().map(f).collect::<Vec<f64>>())
                    )
                },
            )
        };
        let size = if row.size_mib >= 1024 {
            format!("{} GiB", row.size_mib / 1024)
        } else {
            format!("{} MiB", row.size_mib)
        };
        println!(
            "| {} | {size} | {} | {wall:.3} | {cpu:.3} ({user:.3} + {sys:.3}) | {rss:.1} | {} | {} | {} |",
            row.scenario.name(),
            row.runs.len(),
            ratio(|u| secs(u.wall), wall),
            ratio(|u| secs(u.cpu()), cpu),
            median(row.requests.clone()),
        );
    }
    if !small_rows.is_empty() {
        println!();
        println!("| `photoslibrary upload` of 200 files of 1 MiB, 20 ms per request | runs | wall (s) | CPU (s) | peak RSS (MiB) | uploads | batchCreate calls | items per call (max) | in flight (max) | violations |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for line in &small_rows {
            println!("{line}");
        }
    }
    if !failures.is_empty() {
        println!();
        println!("Failures ({}):", failures.len());
        for f in &failures {
            println!("- {f}");
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

/// 200 files of 1 MiB through `photoslibrary upload --jobs 1|4|8`, against a
/// server that delays every answer by 20 ms.
fn many_small_files(
    setup: &Setup,
    tmp: &Path,
    logs: &Path,
    failures: &mut Vec<String>,
) -> Vec<String> {
    let dir = tmp.join("small");
    std::fs::create_dir_all(&dir).expect("small dir");
    for i in 0..200u64 {
        make_file(&dir.join(format!("img-{i:03}.jpg")), MIB, 1000 + i).expect("small file");
    }
    let server = Server::start(&tmp.join("media"), 20);
    let setup = Setup {
        exe: setup.exe.clone(),
        cli: setup.cli.clone(),
        tmp: setup.tmp.clone(),
        base: server.base(),
    };
    let mut lines = Vec::new();
    for jobs in [1, 4, 8] {
        let mut runs = Vec::new();
        let mut last_stats = serde_json::Value::Null;
        for _ in 0..3 {
            let state = tmp.join("small-state.json");
            let _ = std::fs::remove_file(&state);
            server.reset();
            let mut cmd = setup.cli();
            cmd.arg("upload")
                .arg(&dir)
                .arg("--state")
                .arg(&state)
                .args(["--force", "--jobs", &jobs.to_string()]);
            match measure(&mut cmd, Duration::from_secs(300), logs) {
                Ok((usage, stdout)) => {
                    eprintln!(
                        "small files, --jobs {jobs}: wall {:.3} s ({})",
                        secs(usage.wall),
                        stdout.lines().next().unwrap_or("")
                    );
                    runs.push(usage);
                    last_stats = server.stats();
                }
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    failures.push(e);
                }
            }
        }
        if runs.is_empty() {
            continue;
        }
        let s = &last_stats;
        let violations = s["violations"].as_array().map_or(0, Vec::len);
        lines.push(format!(
            "| `--jobs {jobs}` | {} | {:.3} | {:.3} | {:.1} | {} | {} | {} | {} | {} |",
            runs.len(),
            median(runs.iter().map(|u| secs(u.wall)).collect()),
            median(runs.iter().map(|u| secs(u.cpu())).collect()),
            median(runs.iter().map(|u| u.maxrss_kib).collect()) as f64 / 1024.0,
            s["uploads_done"],
            s["batch_create_calls"],
            s["max_items"],
            s["max_in_flight"],
            if violations == 0 {
                "none".to_owned()
            } else {
                format!("{violations}: {}", s["violations"])
            },
        ));
    }
    lines
}

/// `bench transfer-server --dir DIR --delay-ms N`: prints its port, then serves.
pub fn server_main(args: &[String]) {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let dir = PathBuf::from(flag("--dir").unwrap_or_else(|| ".".into()));
    let delay = Duration::from_millis(flag("--delay-ms").and_then(|d| d.parse().ok()).unwrap_or(0));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("addr").port());
        crate::transfer_server::serve(listener, dir, delay).await;
    });
}

/// `bench transfer-client upload BASE FILE [CHUNK_MIB]`, `bench
/// transfer-client media-upload BASE FILE` (drive-v3's `files.create`: the
/// runtime's discovery-format resumable upload) and `bench transfer-client
/// download BASE ID DIR`: the library scenarios, each in a process of its own.
pub fn client_main(args: &[String]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result: Result<String, photoslibrary_v1::Error> = rt.block_on(async {
        match args.as_slice() {
            ["upload", base, file, rest @ ..] => {
                let client = crate::ours(base);
                let mut upload = client.uploads().file(file, "video/mp4").await?;
                if let [chunk] = rest {
                    upload = upload.chunk_size(chunk.parse::<u64>().unwrap_or(8) * MIB);
                }
                upload.send().await
            }
            ["media-upload", base, file] => {
                // The discovery format's resumable upload (Content-Range, 308).
                let client = drive_v3::Client::builder()
                    .base_url(*base)
                    .bearer_token("ya29.bench")
                    .build()?;
                let reader = tokio::fs::File::open(file)
                    .await
                    .map_err(|e| photoslibrary_v1::Error::io(format!("opening {file}"), e))?;
                let len = reader
                    .metadata()
                    .await
                    .map_err(|e| photoslibrary_v1::Error::io(format!("opening {file}"), e))?
                    .len();
                let media = drive_v3::media::Media::from_reader(reader, Some(len), "video/mp4");
                let created = client
                    .files()
                    .create(drive_v3::models::File::default())
                    .upload(media)
                    .await?;
                Ok(created.id.unwrap_or_default())
            }
            ["download", base, id, dir] => {
                use photoslibrary_v1::download::BaseUrlOptions;
                let client = crate::ours(base);
                let item = client.media_items().get(*id).send().await?;
                let done = client
                    .download_media_item_to(&item, &BaseUrlOptions::original(&item), dir)
                    .await?;
                Ok(format!("{done:?}"))
            }
            _ => Err(photoslibrary_v1::Error::invalid_argument(
                "arguments",
                "transfer-client upload BASE FILE [CHUNK_MIB] | media-upload BASE FILE | download BASE ID DIR",
            )),
        }
    });
    match result {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
