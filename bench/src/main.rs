//! Side-by-side benchmark of the generated client (`photoslibrary-v1`) and
//! google-photoslibrary1, against a fixture server in another process.
//!
//! `cargo run --release --manifest-path bench/Cargo.toml -- run`; the
//! transfer benchmark (uploads and downloads against curl) is `-- transfer`
//! (see `transfer.rs`, or `bench/transfer.sh`, which builds the CLI first).

mod fixtures;
mod server;
mod transfer;
mod transfer_server;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;

const GETS: usize = 2000;
const SEARCH_RUNS: usize = 50;

/// Calls (or search runs) per profiled scenario when `profile` is given a count,
/// so instructions per call can be taken as the difference of two counts.
static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn count(default: usize) -> usize {
    match COUNT.load(std::sync::atomic::Ordering::Relaxed) {
        0 => default,
        n => n,
    }
}

/// CPU time this process has used: (user, system).
fn cpu_times() -> (Duration, Duration) {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

/// Peak resident set size of this process, in KiB. Read from VmHWM: unlike
/// getrusage's ru_maxrss, it is not inherited from the parent across exec.
fn max_rss_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(-1)
}

#[derive(Clone, Copy, Debug)]
struct Sample {
    cpu: Duration,
    user: Duration,
    wall: Duration,
}

async fn measure<F, Fut>(f: F) -> Sample
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let ((user, system), wall) = (cpu_times(), Instant::now());
    f().await;
    let (user2, system2) = cpu_times();
    Sample {
        cpu: (user2 - user) + (system2 - system),
        user: user2 - user,
        wall: wall.elapsed(),
    }
}

type Theirs = google_photoslibrary1::PhotosLibrary<
    google_photoslibrary1::hyper_rustls::HttpsConnector<
        google_photoslibrary1::hyper_util::client::legacy::connect::HttpConnector,
    >,
>;

fn ours(base: &str) -> photoslibrary_v1::Client {
    photoslibrary_v1::Client::builder()
        .base_url(base)
        .bearer_token("ya29.bench")
        .build()
        .expect("client")
}

fn theirs(base: &str) -> Theirs {
    use google_photoslibrary1::{hyper_rustls, hyper_util};
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let mut hub = google_photoslibrary1::PhotosLibrary::new(client, "ya29.bench".to_string());
    hub.base_url(base.to_string());
    hub.root_url(base.to_string());
    hub
}

async fn ours_gets(client: &photoslibrary_v1::Client) {
    for _ in 0..count(GETS) {
        let album = client
            .albums()
            .get("AGj1epU8ZUfIMjUQ3kyTQiQXq2sc")
            .send()
            .await
            .expect("ours: albums.get");
        std::hint::black_box(album);
    }
}

async fn theirs_gets(hub: &Theirs) {
    for _ in 0..count(GETS) {
        let (_, album) = hub
            .albums()
            .get("AGj1epU8ZUfIMjUQ3kyTQiQXq2sc")
            .doit()
            .await
            .expect("theirs: albums.get");
        std::hint::black_box(album);
    }
}

async fn ours_search(client: &photoslibrary_v1::Client) {
    for _ in 0..count(SEARCH_RUNS) {
        let request = photoslibrary_v1::models::SearchMediaItemsRequest {
            album_id: Some("ALBUM".into()),
            page_size: Some(100),
            ..Default::default()
        };
        // One page at a time, as the other client is driven.
        let mut pages = std::pin::pin!(client.media_items().search(request).pages());
        let mut count = 0;
        while let Some(page) = pages.try_next().await.expect("ours: search") {
            count += 1;
            std::hint::black_box(page);
        }
        assert_eq!(count, server::PAGES);
    }
}

async fn theirs_search(hub: &Theirs) {
    use google_photoslibrary1::api::SearchMediaItemsRequest;
    for _ in 0..count(SEARCH_RUNS) {
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let request = SearchMediaItemsRequest {
                album_id: Some("ALBUM".into()),
                page_size: Some(100),
                page_token: token.clone(),
                ..Default::default()
            };
            let (_, page) = hub
                .media_items()
                .search(request)
                .doit()
                .await
                .expect("theirs: search");
            pages += 1;
            token = page.next_page_token.clone();
            std::hint::black_box(page);
            if token.is_none() {
                break;
            }
        }
        assert_eq!(pages, server::PAGES);
    }
}

fn start_server() -> (std::process::Child, String) {
    let exe = std::env::current_exe().expect("current exe");
    let mut child = Command::new(exe)
        .arg("server")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the fixture server");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().expect("stdout")),
        &mut line,
    )
    .expect("server port");
    (child, format!("http://127.0.0.1:{}/", line.trim()))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("transfer") => return transfer::run(&args[1..]),
        Some("transfer-server") => return transfer::server_main(&args[1..]),
        Some("transfer-client") => return transfer::client_main(&args[1..]),
        _ => {}
    }
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["server"] => {
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
                server::serve(listener).await;
            });
        }
        ["rss", which, base] => {
            let rt = runtime();
            rt.block_on(async {
                if *which == "ours" {
                    let c = ours(base);
                    ours_gets(&c).await;
                    ours_search(&c).await;
                } else {
                    let h = theirs(base);
                    theirs_gets(&h).await;
                    theirs_search(&h).await;
                }
            });
            println!("{}", max_rss_kib());
        }
        ["profile", which, scenario, base, n @ ..] => {
            if let [n] = n {
                COUNT.store(
                    n.parse().expect("count"),
                    std::sync::atomic::Ordering::Relaxed,
                );
            }
            let rt = runtime();
            rt.block_on(async {
                match (*which, *scenario) {
                    ("ours", "get") => ours_gets(&ours(base)).await,
                    ("ours", _) => ours_search(&ours(base)).await,
                    (_, "get") => theirs_gets(&theirs(base)).await,
                    _ => theirs_search(&theirs(base)).await,
                }
            });
        }
        ["decode", which] => {
            let bytes =
                serde_json::to_vec(&fixtures::media_page(0, Some("next".into()))).expect("fixture");
            for _ in 0..200 {
                if *which == "ours" {
                    let page: photoslibrary_v1::models::ListMediaItemsResponse =
                        photoslibrary_v1::from_json(&bytes).expect("decode");
                    std::hint::black_box(page);
                } else {
                    let text = String::from_utf8_lossy(&bytes);
                    let page: google_photoslibrary1::api::ListMediaItemsResponse =
                        serde_json::from_str(&text).expect("decode");
                    std::hint::black_box(page);
                }
            }
        }
        ["sizes"] => {
            use std::mem::size_of;
            println!(
                "ours MediaItem {} Album {}",
                size_of::<photoslibrary_v1::models::MediaItem>(),
                size_of::<photoslibrary_v1::models::Album>()
            );
            println!(
                "theirs MediaItem {} Album {}",
                size_of::<google_photoslibrary1::api::MediaItem>(),
                size_of::<google_photoslibrary1::api::Album>()
            );
        }
        ["run"] | [] => run(),
        _ => {
            eprintln!(
                "usage: bench [run] | bench transfer [--cli PATH] [--sizes 100,1024] [--runs N] [--no-small]   (bench server, bench rss ours|theirs URL, transfer-server, transfer-client are internal)"
            );
            std::process::exit(2);
        }
    }
}

fn run() {
    let (mut server, base) = start_server();
    let rt = runtime();
    let rounds = 5;
    let mut results: [Vec<Sample>; 4] = Default::default();
    rt.block_on(async {
        let o = ours(&base);
        let t = theirs(&base);
        // Warm up connections and allocators.
        o.albums().get("warm").send().await.expect("warm-up");
        t.albums().get("warm").doit().await.expect("warm-up");
        for _ in 0..rounds {
            results[0].push(measure(|| ours_gets(&o)).await);
            results[1].push(measure(|| theirs_gets(&t)).await);
            results[2].push(measure(|| ours_search(&o)).await);
            results[3].push(measure(|| theirs_search(&t)).await);
        }
    });
    let rss: Vec<i64> = ["ours", "theirs"]
        .iter()
        .map(|which| {
            let out = Command::new(std::env::current_exe().expect("exe"))
                .args(["rss", which, &base])
                .output()
                .expect("rss run");
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .unwrap_or(-1)
        })
        .collect();
    let _ = server.kill();

    let per = |v: &[Sample], n: usize, f: fn(&Sample) -> Duration| {
        median(v.iter().map(f).collect()) / n as u32
    };
    let pages = SEARCH_RUNS * server::PAGES;
    let rows = [
        (
            "client CPU per albums.get (µs)",
            per(&results[0], GETS, |s| s.cpu),
            per(&results[1], GETS, |s| s.cpu),
        ),
        (
            "  of which user space (µs)",
            per(&results[0], GETS, |s| s.user),
            per(&results[1], GETS, |s| s.user),
        ),
        (
            "wall time per albums.get (µs)",
            per(&results[0], GETS, |s| s.wall),
            per(&results[1], GETS, |s| s.wall),
        ),
        (
            "client CPU per 100-item search page (µs)",
            per(&results[2], pages, |s| s.cpu),
            per(&results[3], pages, |s| s.cpu),
        ),
        (
            "  of which user space (µs)",
            per(&results[2], pages, |s| s.user),
            per(&results[3], pages, |s| s.user),
        ),
        (
            "wall time per 100-item search page (µs)",
            per(&results[2], pages, |s| s.wall),
            per(&results[3], pages, |s| s.wall),
        ),
    ];

    println!(
        "{:<44} {:>12} {:>14} {:>8}",
        "figure (median of 5 rounds)", "ours", "theirs", "ratio"
    );
    for (name, o, t) in rows {
        println!(
            "{name:<44} {:>12.1} {:>14.1} {:>8.2}",
            micros(o),
            micros(t),
            o.as_secs_f64() / t.as_secs_f64()
        );
    }
    println!(
        "{:<44} {:>12} {:>14} {:>8.2}",
        "peak RSS, separate process (KiB)",
        rss[0],
        rss[1],
        rss[0] as f64 / rss[1] as f64
    );
}
