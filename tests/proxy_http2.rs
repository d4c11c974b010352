//! Proxies and HTTP/2: a local proxy that records what it is asked (plain
//! requests in absolute form, `CONNECT` tunnels), the environment variables
//! read in a child process (they are process-wide), and a local TLS server
//! with a generated certificate that speaks HTTP/2 or only HTTP/1.1 by ALPN.

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Version;
use photoslibrary_v1::{Client, Error, RetryPolicy};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ------------------------------------------------------------------ the proxy

/// A forward proxy on this machine that records the head of every request it
/// gets. When `forward`, `CONNECT host:port` is answered `200` and tunnelled,
/// and a plain request in absolute form is passed on to its host in origin
/// form; otherwise the connection is closed after the head.
struct Proxy {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start(forward: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let record = heads.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve_proxy(stream, record.clone(), forward));
            }
        });
        Proxy { addr, heads }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }

    /// The first line of every request head.
    fn request_lines(&self) -> Vec<String> {
        self.heads()
            .iter()
            .map(|h| h.lines().next().unwrap_or("").to_owned())
            .collect()
    }
}

async fn serve_proxy(mut client: TcpStream, heads: Arc<Mutex<Vec<String>>>, forward: bool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    heads.lock().unwrap().push(head.clone());
    if !forward {
        return;
    }
    let mut words = head.split_whitespace();
    let (verb, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if verb == "CONNECT" {
        let Ok(mut upstream) = TcpStream::connect(target).await else {
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_ok()
        {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
        return;
    }
    // `GET http://host:port/path HTTP/1.1`: on to host:port, in origin form.
    let Some(rest) = target.strip_prefix("http://") else {
        return;
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Ok(mut upstream) = TcpStream::connect(authority).await else {
        return;
    };
    let forwarded = head.replacen(target, if path.is_empty() { "/" } else { path }, 1);
    if upstream.write_all(forwarded.as_bytes()).await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

async fn albums_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/albums/A"))
        .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A")))
        .mount(&server)
        .await;
    server
}

// ------------------------------------------------------- plain http via proxy

#[tokio::test]
async fn plain_http_goes_to_the_proxy_in_absolute_form() {
    bounded(async move {
        let server = albums_server().await;
        let proxy = Proxy::start(true).await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .proxy(proxy.url())
            .build()
            .unwrap();
        let album = client.albums().get("A").send().await.unwrap();
        assert_eq!(album.id.as_deref(), Some("A"));
        assert_eq!(
            proxy.request_lines(),
            [format!(
                "GET {}/v1/albums/A?prettyPrint=false HTTP/1.1",
                server.uri()
            )]
        );
        // The server got it, through the proxy, token included.
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(
            requests[0].headers.get("authorization").unwrap(),
            &format!("Bearer {TOKEN}")
        );
    })
    .await
}

#[tokio::test]
async fn proxy_credentials_become_proxy_authorization_and_are_never_shown() {
    bounded(async move {
        let server = albums_server().await;
        let proxy = Proxy::start(true).await;
        let builder = Client::builder()
            .base_url(server.uri())
            .no_auth()
            .proxy(format!("http://user:s3cret@{}", proxy.addr));
        let shown = format!("{builder:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***@"), "{shown}");
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("s3cret"));
        client.albums().get("A").send().await.unwrap();
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1);
        // base64("user:s3cret")
        assert!(
            heads[0]
                .to_ascii_lowercase()
                .contains("proxy-authorization: basic dxnlcjpzm2nyzxq=\r\n"),
            "{}",
            heads[0]
        );
    })
    .await
}

#[tokio::test]
async fn no_proxy_connects_directly() {
    bounded(async move {
        let server = albums_server().await;
        let proxy = Proxy::start(true).await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .proxy(proxy.url())
            .no_proxy()
            .build()
            .unwrap();
        client.albums().get("A").send().await.unwrap();
        assert!(proxy.heads().is_empty(), "{:?}", proxy.heads());
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    })
    .await
}

#[test]
fn only_plain_http_proxies_are_accepted() {
    for bad in [
        "https://proxy.example:3128",
        "socks5://user:s3cret@proxy.example:1080",
        "http://",
    ] {
        let err = Client::builder().proxy(bad).build().unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        assert!(message.contains("only plain-http proxies"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
    }
}

// ------------------------------------------------------------ CONNECT tunnels

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_without_the_token() {
    bounded(async move {
        // The proxy closes the tunnel: no network is needed, the call fails.
        let proxy = Proxy::start(false).await;
        let client = Client::builder()
            .bearer_token(TOKEN)
            .proxy(format!("http://user:pw@{}", proxy.addr))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let started = Instant::now();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1, "{heads:?}");
        let head = heads[0].to_ascii_lowercase();
        assert!(
            heads[0].starts_with("CONNECT photoslibrary.googleapis.com:443 HTTP/1.1\r\n"),
            "{head}"
        );
        assert!(head.contains("proxy-authorization: basic "), "{head}");
        assert!(!head.contains("\r\nauthorization"), "{head}");
        assert!(!head.contains(TOKEN), "{head}");
    })
    .await
}

#[tokio::test]
async fn http2_through_a_connect_tunnel() {
    bounded(async move {
        let server = TlsServer::start(&[b"h2", b"http/1.1"]).await;
        let proxy = Proxy::start(true).await;
        let client = server.client().proxy(proxy.url()).build().unwrap();
        let album = client.albums().get("A").send().await.unwrap();
        assert_eq!(album.id.as_deref(), Some("A"));
        assert_eq!(
            proxy.request_lines(),
            [format!("CONNECT localhost:{} HTTP/1.1", server.addr.port())]
        );
        assert!(!proxy.heads()[0].contains(TOKEN));
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].version, Version::HTTP_2);
        assert_eq!(seen[0].authorization, format!("Bearer {TOKEN}"));
    })
    .await
}

// ------------------------------------------------- the environment variables

/// What the parent asks of the child process: the proxy variables are set on
/// it, and it makes one call to a TEST-NET address that the proxy (or a
/// direct connection attempt) makes fail.
const CHILD: &str = "PROXY_HTTP2_CHILD";

#[test]
fn child_process_for_the_environment_tests() {
    let Ok(base_url) = std::env::var(CHILD) else {
        return; // run normally: nothing to do
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bounded(async move {
        let client = Client::builder()
            .base_url(base_url)
            .bearer_token(TOKEN)
            // The plain-http case names a TEST-NET address.
            .allow_insecure_http(true)
            .connect_timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
    }));
}

/// Runs the child with exactly `vars` as its proxy environment.
fn run_child(base_url: &str, vars: &[(&str, &str)]) {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "child_process_for_the_environment_tests",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD, base_url);
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "REQUEST_METHOD",
    ] {
        command
            .env_remove(name)
            .env_remove(name.to_ascii_lowercase());
    }
    command.envs(vars.iter().copied());
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxies_come_from_the_environment() {
    bounded(async move {
        let proxy = Proxy::start(false).await;
        let url = proxy.url();
        let child = |base: &'static str, vars: Vec<(&'static str, String)>| {
            tokio::task::spawn_blocking(move || {
                let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
                run_child(base, &vars)
            })
        };
        // HTTPS_PROXY for https; NO_PROXY naming other hosts does not matter.
        child(
            "https://192.0.2.1/",
            vec![
                ("HTTPS_PROXY", url.clone()),
                ("NO_PROXY", "example.com".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(proxy.request_lines(), ["CONNECT 192.0.2.1:443 HTTP/1.1"]);
        // Lower case, ALL_PROXY, plain http (allowed to a TEST-NET address here).
        child("http://192.0.2.1:8/", vec![("all_proxy", url.clone())])
            .await
            .unwrap();
        // NO_PROXY sends it direct (and it fails there, at the connect timeout).
        child(
            "https://192.0.2.1/",
            vec![
                ("https_proxy", url.clone()),
                ("no_proxy", "192.0.2.0/24".into()),
            ],
        )
        .await
        .unwrap();
        // This machine never goes through a proxy from the environment.
        child("https://127.0.0.1:9/", vec![("HTTPS_PROXY", url.clone())])
            .await
            .unwrap();
        assert_eq!(
            proxy.request_lines(),
            [
                "CONNECT 192.0.2.1:443 HTTP/1.1",
                "GET http://192.0.2.1:8/v1/albums/A?prettyPrint=false HTTP/1.1"
            ]
        );
    })
    .await
}

// ------------------------------------------------------------------ HTTP/2

/// What the TLS server saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    version: Version,
    path: String,
    authorization: String,
    body_len: usize,
}

/// A TLS server for `localhost` with a certificate made for the test, offering
/// `alpn` (`h2` and/or `http/1.1`); answers `/v1/albums/A` with an album and
/// `/v1/uploads` with the number of bytes it received.
struct TlsServer {
    addr: SocketAddr,
    cert: Vec<u8>,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<Mutex<usize>>,
}

impl TlsServer {
    async fn start(alpn: &[&[u8]]) -> TlsServer {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = certified.cert.der().to_vec();
        let key =
            rustls::pki_types::PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone().into()], key.into())
        .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (record, count) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                *count.lock().unwrap() += 1;
                let (acceptor, record) = (acceptor.clone(), record.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                    let io = hyper_util::rt::TokioIo::new(tls);
                    let service =
                        hyper::service::service_fn(move |req| answer(req, record.clone()));
                    if h2 {
                        let _ = hyper::server::conn::http2::Builder::new(
                            hyper_util::rt::TokioExecutor::new(),
                        )
                        .serve_connection(io, service)
                        .await;
                    } else {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(io, service)
                            .await;
                    }
                });
            }
        });
        TlsServer {
            addr,
            cert,
            seen,
            connections,
        }
    }

    /// A builder for a client that trusts this server's certificate.
    fn client(&self) -> photoslibrary_v1::ClientBuilder {
        Client::builder()
            .base_url(format!("https://localhost:{}/", self.addr.port()))
            .bearer_token(TOKEN)
            .add_root_certificate(self.cert.clone())
            .retry_policy(RetryPolicy::none())
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

async fn answer(
    req: hyper::Request<hyper::body::Incoming>,
    record: Arc<Mutex<Vec<Seen>>>,
) -> Result<hyper::Response<Full<Bytes>>, hyper::Error> {
    let version = req.version();
    let path = req.uri().path().to_owned();
    let authorization = req
        .headers()
        .get("authorization")
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .unwrap_or_default();
    let body = req.into_body().collect().await?.to_bytes();
    record.lock().unwrap().push(Seen {
        version,
        path: path.clone(),
        authorization,
        body_len: body.len(),
    });
    let (content_type, body) = if path == "/v1/uploads" {
        ("text/plain", format!("got {} bytes", body.len()))
    } else {
        ("application/json", album_json("A").to_string())
    };
    Ok(hyper::Response::builder()
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap())
}

#[tokio::test]
async fn http2_is_negotiated_and_one_connection_is_kept() {
    bounded(async move {
        let server = TlsServer::start(&[b"h2", b"http/1.1"]).await;
        let client = server.client().no_proxy().build().unwrap();
        for _ in 0..3 {
            let album = client.albums().get("A").send().await.unwrap();
            assert_eq!(album.id.as_deref(), Some("A"));
        }
        // A streamed body larger than HTTP/2's initial flow-control window.
        let data = vec![7u8; 300 * 1024];
        let token = client
            .uploads()
            .bytes(data, "image/jpeg", "IMG.jpg")
            .send()
            .await
            .unwrap();
        assert_eq!(token, format!("got {} bytes", 300 * 1024));
        let seen = server.seen();
        assert_eq!(seen.len(), 4, "{seen:?}");
        for s in &seen {
            assert_eq!(s.version, Version::HTTP_2, "{s:?}");
            assert_eq!(s.authorization, format!("Bearer {TOKEN}"));
        }
        assert_eq!(seen[3].path, "/v1/uploads");
        assert_eq!(seen[3].body_len, 300 * 1024);
        assert_eq!(server.connections(), 1);
    })
    .await
}

#[tokio::test]
async fn an_http1_only_tls_server_still_works() {
    bounded(async move {
        let server = TlsServer::start(&[b"http/1.1"]).await;
        let client = server.client().no_proxy().build().unwrap();
        for _ in 0..2 {
            let album = client.albums().get("A").send().await.unwrap();
            assert_eq!(album.id.as_deref(), Some("A"));
        }
        let seen = server.seen();
        assert_eq!(seen.len(), 2);
        assert!(
            seen.iter().all(|s| s.version == Version::HTTP_11),
            "{seen:?}"
        );
        assert_eq!(server.connections(), 1);
    })
    .await
}

#[tokio::test]
async fn a_server_without_alpn_gets_http1() {
    bounded(async move {
        let server = TlsServer::start(&[]).await;
        let client = server.client().no_proxy().build().unwrap();
        client.albums().get("A").send().await.unwrap();
        assert_eq!(server.seen()[0].version, Version::HTTP_11);
    })
    .await
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    bounded(async move {
        let server = TlsServer::start(&[b"h2"]).await;
        let client = Client::builder()
            .base_url(format!("https://localhost:{}/", server.addr.port()))
            .bearer_token(TOKEN)
            .no_proxy()
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert!(server.seen().is_empty());
    })
    .await
}

#[test]
fn a_root_certificate_that_is_not_one_is_refused() {
    let err = Client::builder()
        .add_root_certificate(b"not DER".to_vec())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
}
