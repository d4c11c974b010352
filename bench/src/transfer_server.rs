//! The transfer benchmark's server: HTTP/1.1 on loopback, in its own process.
//!
//! It speaks what the clients under test send, and nothing more:
//!
//! - Photos uploads: `POST /v1/uploads` raw (`X-Goog-Upload-Protocol: raw`)
//!   and resumable (`start`, then `upload`, `upload, finalize`, `finalize`
//!   and `query` on the session URL `/upload-session/N`, with
//!   `X-Goog-Upload-Offset` checked against what arrived and the chunk
//!   granularity enforced);
//! - the discovery format's media upload: `POST /upload/...?uploadType=media`,
//!   `multipart` (the media part is hashed; at most 64 MiB), `resumable` (also
//!   on `/resumable/upload/...`: a `Location` session URL, `PUT` with
//!   `Content-Range`, `308` with `Range`);
//! - `PUT /bench/put` (and `POST`): the plain upload curl makes;
//! - media downloads: `GET /media/ID[=options]` from the files of the
//!   directory it serves, with `Range` (`bytes=N-` and `bytes=N-M`) and a
//!   strong `ETag`;
//! - `mediaItems.get`, `mediaItems.batchGet`, `mediaItems.search` (the album id
//!   is the file's id: one item) and `mediaItems.batchCreate` (counted; at most
//!   one may be in flight and each may carry at most 50 items, else a
//!   violation is recorded), so base URLs point at this server;
//! - `GET /bench/stats` (JSON) and `POST /bench/reset`.
//!
//! Every received body is hashed with [`Hash`] and discarded; the hash and
//! length of the last finished upload are in the stats, so the benchmark can
//! check that the bytes arrived intact. Heads are capped at 64 KiB, JSON
//! bodies at 1 MiB, every read waits at most 60 s, and odd input gets a 4xx,
//! never a panic. `--delay-ms N` delays every answer by N ms (the many-files
//! scenario's latency).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The granularity announced for resumable sessions (Google's is 256 KiB).
pub const GRANULARITY: u64 = 256 * 1024;
const MAX_HEAD: usize = 64 * 1024;
const MAX_JSON: u64 = 1 << 20;
const MAX_MULTIPART: u64 = 64 << 20;
const IO_TIMEOUT: Duration = Duration::from_secs(60);
const BODY_BUF: usize = 256 * 1024;
const MAX_SESSIONS: usize = 4096;

/// A fast, streaming, non-cryptographic hash (four 64-bit lanes over 32-byte
/// blocks): enough to tell that bytes arrived intact and in order, and cheap
/// enough (several GB/s) not to slow the server that shares the cores with
/// the client.
#[derive(Clone)]
pub struct Hash {
    lanes: [u64; 4],
    tail: [u8; 32],
    tail_len: usize,
    len: u64,
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

impl Default for Hash {
    fn default() -> Self {
        Hash {
            lanes: [1, 2, 3, 4],
            tail: [0; 32],
            tail_len: 0,
            len: 0,
        }
    }
}

impl Hash {
    fn block(&mut self, block: &[u8]) {
        for (lane, word) in self.lanes.iter_mut().zip(block.chunks_exact(8)) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            *lane = (*lane ^ w).wrapping_mul(K).rotate_left(29);
        }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.tail_len > 0 {
            let take = (32 - self.tail_len).min(data.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&data[..take]);
            self.tail_len += take;
            data = &data[take..];
            if self.tail_len < 32 {
                return;
            }
            let tail = self.tail;
            self.block(&tail);
            self.tail_len = 0;
        }
        let mut blocks = data.chunks_exact(32);
        for block in &mut blocks {
            self.block(block);
        }
        let rest = blocks.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn finish(&self) -> u64 {
        let mut h = self.len.wrapping_mul(K);
        for (i, &b) in self.tail[..self.tail_len].iter().enumerate() {
            h = (h ^ (u64::from(b) << ((i % 8) * 8))).wrapping_mul(K);
        }
        for lane in self.lanes {
            h = (h ^ lane).wrapping_mul(K).rotate_left(31);
        }
        h ^ (h >> 29)
    }
}

/// The hash and length of a file, read in 256 KiB pieces.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hash = Hash::default();
    let mut buf = vec![0u8; BODY_BUF];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((hash.len(), hash.finish()));
        }
        hash.update(&buf[..n]);
    }
}

struct Upload {
    hash: Hash,
    total: Option<u64>,
    done: Option<String>,
}

#[derive(Default)]
struct Stats {
    requests: u64,
    upload_requests: u64,
    uploads_done: u64,
    last_len: u64,
    last_hash: u64,
    batch_create_calls: u64,
    batch_create_items: u64,
    in_flight: u64,
    max_in_flight: u64,
    max_items: u64,
    violations: Vec<String>,
    errors: Vec<String>,
}

struct State {
    dir: PathBuf,
    base: String,
    delay: Duration,
    next: u64,
    sessions: HashMap<u64, Upload>,
    stats: Stats,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn note(list: &mut Vec<String>, text: String) {
    if list.len() < 100 {
        list.push(text);
    }
}

pub async fn serve(listener: TcpListener, dir: PathBuf, delay: Duration) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let state = Arc::new(Mutex::new(State {
        dir,
        base: format!("http://127.0.0.1:{port}/"),
        delay,
        next: 1,
        sessions: HashMap::new(),
        stats: Stats::default(),
    }));
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let mut conn = Conn {
                socket,
                buf: Vec::with_capacity(8192),
            };
            let _ = conn.socket.set_nodelay(true);
            while let Ok(true) = conn.one(&state).await {}
        });
    }
}

struct Conn {
    socket: TcpStream,
    /// Bytes read beyond the current position (head, then the start of a body).
    buf: Vec<u8>,
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    length: u64,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn query(&self, key: &str) -> Vec<&str> {
        self.target
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .collect()
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    fn json(value: serde_json::Value) -> Self {
        let mut r = Reply::new(200, serde_json::to_vec(&value).unwrap_or_default());
        r.headers
            .push(("Content-Type", "application/json; charset=UTF-8".into()));
        r
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        308 => "Resume Incomplete",
        400 => "Bad Request",
        404 => "Not Found",
        411 => "Length Required",
        413 => "Payload Too Large",
        416 => "Range Not Satisfiable",
        _ => "Error",
    }
}

impl Conn {
    async fn read_more(&mut self) -> std::io::Result<usize> {
        let mut chunk = [0u8; 8192];
        let n = tokio::time::timeout(IO_TIMEOUT, self.socket.read(&mut chunk))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// The next request's head; `None` when the peer closed between requests.
    async fn head(&mut self) -> std::io::Result<Option<Request>> {
        let end = loop {
            if let Some(pos) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(std::io::ErrorKind::InvalidData.into());
            }
            if self.read_more().await? == 0 {
                return Ok(None);
            }
        };
        let text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
        self.buf.drain(..end);
        let mut lines = text.split("\r\n");
        let mut first = lines.next().unwrap_or("").split_whitespace();
        let method = first.next().unwrap_or("").to_owned();
        let target = first.next().unwrap_or("/").to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let mut request = Request {
            method,
            target,
            headers,
            length: 0,
        };
        if request
            .header("transfer-encoding")
            .is_some_and(|t| !t.eq_ignore_ascii_case("identity"))
        {
            // Not spoken here: the clients under test send Content-Length.
            return Err(std::io::ErrorKind::Unsupported.into());
        }
        request.length = match request.header("content-length") {
            None => 0,
            Some(v) => v
                .parse()
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?,
        };
        // curl asks before a large PUT; answering at once saves its wait.
        if request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        {
            tokio::time::timeout(
                IO_TIMEOUT,
                self.socket.write_all(b"HTTP/1.1 100 Continue\r\n\r\n"),
            )
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
        }
        Ok(Some(request))
    }

    /// Reads the body of `length` bytes into `hash` (when given), in pieces.
    async fn body_into(&mut self, length: u64, mut hash: Option<&mut Hash>) -> std::io::Result<()> {
        let mut left = length;
        let from_buf = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(self.buf.len());
        if let Some(h) = hash.as_deref_mut() {
            h.update(&self.buf[..from_buf]);
        }
        self.buf.drain(..from_buf);
        left -= from_buf as u64;
        let mut piece = vec![0u8; BODY_BUF.min(usize::try_from(left).unwrap_or(BODY_BUF))];
        while left > 0 {
            let want = usize::try_from(left).unwrap_or(BODY_BUF).min(piece.len());
            let n = tokio::time::timeout(IO_TIMEOUT, self.socket.read(&mut piece[..want]))
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            if let Some(h) = hash.as_deref_mut() {
                h.update(&piece[..n]);
            }
            left -= n as u64;
        }
        Ok(())
    }

    async fn small_body(&mut self, length: u64) -> std::io::Result<Vec<u8>> {
        self.small_body_up_to(length, MAX_JSON).await
    }

    async fn small_body_up_to(&mut self, length: u64, max: u64) -> std::io::Result<Vec<u8>> {
        if length > max {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        let length = length as usize;
        while self.buf.len() < length {
            if self.read_more().await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..length).collect())
    }

    async fn send(&mut self, reply: Reply) -> std::io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Length: {}\r\n",
            reply.status,
            reason(reply.status),
            reply.body.len()
        );
        for (n, v) in &reply.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(&reply.body);
        tokio::time::timeout(IO_TIMEOUT, self.socket.write_all(&out))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
    }

    /// One request and its answer; `false` when the connection is done.
    async fn one(&mut self, state: &Shared) -> std::io::Result<bool> {
        let Some(req) = self.head().await? else {
            return Ok(false);
        };
        let delay = {
            let mut s = lock(state);
            s.stats.requests += 1;
            s.delay
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let path = req.path().to_owned();
        let reply = match (req.method.as_str(), path.as_str()) {
            ("GET", p) if p.starts_with("/media/") => {
                return self.media(state, &req).await.map(|()| true);
            }
            ("POST", "/v1/uploads") => self.photos_upload(state, &req).await?,
            ("POST", p) if p.starts_with("/upload-session/") => {
                self.photos_session(state, &req).await?
            }
            ("POST", p) if p.starts_with("/upload/") || p.starts_with("/resumable/upload/") => {
                self.media_upload(state, &req).await?
            }
            ("PUT", p) if p.starts_with("/upload-resumable/") => {
                self.media_session(state, &req).await?
            }
            ("PUT" | "POST", "/bench/put") => {
                lock(state).stats.upload_requests += 1;
                let mut hash = Hash::default();
                self.body_into(req.length, Some(&mut hash)).await?;
                Reply::new(200, finished(state, hash))
            }
            ("GET", "/bench/stats") => {
                // The stats call itself is not counted.
                let mut s = lock(state);
                s.stats.requests = s.stats.requests.saturating_sub(1);
                drop(s);
                Reply::json(stats(state))
            }
            ("POST", "/bench/reset") => {
                self.body_into(req.length, None).await?;
                let mut s = lock(state);
                s.stats = Stats::default();
                s.sessions.clear();
                Reply::new(200, "reset")
            }
            ("POST", "/v1/mediaItems:batchCreate") => {
                let body = self.small_body(req.length).await?;
                batch_create(state, &body).await
            }
            ("POST", "/v1/mediaItems:search") => {
                let body = self.small_body(req.length).await?;
                let album = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["albumId"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                match item(state, &album) {
                    Some(item) => Reply::json(serde_json::json!({ "mediaItems": [item] })),
                    None => Reply::json(serde_json::json!({})),
                }
            }
            ("GET", "/v1/mediaItems:batchGet") => {
                let results: Vec<serde_json::Value> = req
                    .query("mediaItemIds")
                    .into_iter()
                    .map(|id| match item(state, id) {
                        Some(item) => serde_json::json!({ "mediaItem": item }),
                        None => {
                            serde_json::json!({ "status": { "code": 5, "message": "not found" } })
                        }
                    })
                    .collect();
                Reply::json(serde_json::json!({ "mediaItemResults": results }))
            }
            ("GET", p) if p.starts_with("/v1/mediaItems/") => {
                match item(state, &p["/v1/mediaItems/".len()..]) {
                    Some(item) => Reply::json(item),
                    None => Reply::new(404, "no such item"),
                }
            }
            _ => {
                self.body_into(req.length, None).await?;
                Reply::new(404, "not found")
            }
        };
        self.send(reply).await?;
        Ok(true)
    }

    async fn photos_upload(&mut self, state: &Shared, req: &Request) -> std::io::Result<Reply> {
        lock(state).stats.upload_requests += 1;
        let protocol = req.header("x-goog-upload-protocol").unwrap_or("");
        if protocol.eq_ignore_ascii_case("resumable") {
            self.body_into(req.length, None).await?;
            if req.header("x-goog-upload-command") != Some("start") {
                return Ok(Reply::new(400, "a resumable upload starts with start"));
            }
            let total = req
                .header("x-goog-upload-raw-size")
                .and_then(|v| v.parse().ok());
            let mut s = lock(state);
            if s.sessions.len() >= MAX_SESSIONS {
                return Ok(Reply::new(400, "too many sessions"));
            }
            let id = s.next;
            s.next += 1;
            s.sessions.insert(
                id,
                Upload {
                    hash: Hash::default(),
                    total,
                    done: None,
                },
            );
            let url = format!("{}upload-session/{id}", s.base);
            return Ok(Reply::new(200, "")
                .header("X-Goog-Upload-URL", url)
                .header("X-Goog-Upload-Chunk-Granularity", GRANULARITY.to_string())
                .header("X-Goog-Upload-Status", "active"));
        }
        // Raw: the bytes are the body.
        let mut hash = Hash::default();
        self.body_into(req.length, Some(&mut hash)).await?;
        Ok(Reply::new(200, finished(state, hash)))
    }

    async fn photos_session(&mut self, state: &Shared, req: &Request) -> std::io::Result<Reply> {
        lock(state).stats.upload_requests += 1;
        let id: u64 = req.path()["/upload-session/".len()..].parse().unwrap_or(0);
        let command = req
            .header("x-goog-upload-command")
            .unwrap_or("")
            .to_ascii_lowercase();
        let commands: Vec<&str> = command.split(',').map(str::trim).collect();
        // The session's hash is taken out while the body streams in.
        let Some(mut upload) = lock(state).sessions.remove(&id) else {
            self.body_into(req.length, None).await?;
            return Ok(Reply::new(404, "no such upload session"));
        };
        let put_back = |upload: Upload| {
            lock(state).sessions.insert(id, upload);
        };
        if commands == ["query"] {
            let status = if upload.done.is_some() {
                "final"
            } else {
                "active"
            };
            let reply = Reply::new(200, upload.done.clone().unwrap_or_default())
                .header("X-Goog-Upload-Status", status)
                .header("X-Goog-Upload-Size-Received", upload.hash.len().to_string());
            self.body_into(req.length, None).await?;
            put_back(upload);
            return Ok(reply);
        }
        let uploading = commands.contains(&"upload");
        let finalize = commands.contains(&"finalize");
        if !uploading && !finalize {
            self.body_into(req.length, None).await?;
            put_back(upload);
            return Ok(Reply::new(400, "unknown upload command"));
        }
        if uploading {
            let offset = req
                .header("x-goog-upload-offset")
                .and_then(|v| v.parse::<u64>().ok());
            if offset != Some(upload.hash.len()) {
                self.body_into(req.length, None).await?;
                let have = upload.hash.len();
                note(
                    &mut lock(state).stats.violations,
                    format!("upload at offset {offset:?}, the session has {have}"),
                );
                put_back(upload);
                return Ok(Reply::new(400, "wrong X-Goog-Upload-Offset"));
            }
            if !finalize && !req.length.is_multiple_of(GRANULARITY) {
                note(
                    &mut lock(state).stats.violations,
                    format!("a non-final chunk of {} bytes", req.length),
                );
            }
            if let Err(e) = self.body_into(req.length, Some(&mut upload.hash)).await {
                put_back(upload);
                return Err(e);
            }
        } else {
            self.body_into(req.length, None).await?;
        }
        if finalize {
            if let Some(total) = upload.total.filter(|t| *t != upload.hash.len()) {
                note(
                    &mut lock(state).stats.errors,
                    format!("finalized after {} of {total} bytes", upload.hash.len()),
                );
            }
            let token = upload
                .done
                .clone()
                .unwrap_or_else(|| finished(state, upload.hash.clone()));
            upload.done = Some(token.clone());
            put_back(upload);
            return Ok(Reply::new(200, token).header("X-Goog-Upload-Status", "final"));
        }
        let have = upload.hash.len();
        put_back(upload);
        Ok(Reply::new(200, "")
            .header("X-Goog-Upload-Status", "active")
            .header("X-Goog-Upload-Size-Received", have.to_string()))
    }

    async fn media_upload(&mut self, state: &Shared, req: &Request) -> std::io::Result<Reply> {
        lock(state).stats.upload_requests += 1;
        let kind = req.query("uploadType").first().copied().unwrap_or("");
        match kind {
            "resumable" => {
                self.body_into(req.length, None).await?;
                let total = req
                    .header("x-upload-content-length")
                    .and_then(|v| v.parse().ok());
                let mut s = lock(state);
                if s.sessions.len() >= MAX_SESSIONS {
                    return Ok(Reply::new(400, "too many sessions"));
                }
                let id = s.next;
                s.next += 1;
                s.sessions.insert(
                    id,
                    Upload {
                        hash: Hash::default(),
                        total,
                        done: None,
                    },
                );
                let url = format!("{}upload-resumable/{id}", s.base);
                Ok(Reply::json(serde_json::json!({})).header("Location", url))
            }
            "media" => {
                let mut hash = Hash::default();
                self.body_into(req.length, Some(&mut hash)).await?;
                let token = finished(state, hash);
                Ok(Reply::json(serde_json::json!({ "id": token })))
            }
            "multipart" => {
                // multipart/related: metadata, then the media; only the media
                // is hashed. Held whole (clients use it for small media only).
                if req.length > MAX_MULTIPART {
                    self.body_into(req.length, None).await?;
                    return Ok(Reply::new(413, "multipart body too large"));
                }
                let boundary = req
                    .header("content-type")
                    .and_then(|t| t.split("boundary=").nth(1))
                    .map(|b| b.trim_matches('"').to_owned())
                    .unwrap_or_default();
                let body = self.small_body_up_to(req.length, MAX_MULTIPART).await?;
                let Some(media) = multipart_media(&body, &boundary) else {
                    return Ok(Reply::new(400, "not multipart/related with two parts"));
                };
                let mut hash = Hash::default();
                hash.update(media);
                let token = finished(state, hash);
                Ok(Reply::json(serde_json::json!({ "id": token })))
            }
            _ => {
                self.body_into(req.length, None).await?;
                Ok(Reply::new(400, "unknown uploadType"))
            }
        }
    }

    async fn media_session(&mut self, state: &Shared, req: &Request) -> std::io::Result<Reply> {
        lock(state).stats.upload_requests += 1;
        let id: u64 = req.path()["/upload-resumable/".len()..]
            .parse()
            .unwrap_or(0);
        let Some(mut upload) = lock(state).sessions.remove(&id) else {
            self.body_into(req.length, None).await?;
            return Ok(Reply::new(404, "no such upload session"));
        };
        // `bytes A-B/T`, `bytes A-B/*` or `bytes */T`.
        let range = req
            .header("content-range")
            .and_then(|v| v.strip_prefix("bytes "))
            .unwrap_or("");
        let (span, total) = range.split_once('/').unwrap_or(("", "*"));
        let total: Option<u64> = total.parse().ok().or(upload.total);
        let start = span
            .split_once('-')
            .and_then(|(a, _)| a.parse::<u64>().ok());
        let have = upload.hash.len();
        if req.length > 0 {
            if start != Some(have) {
                self.body_into(req.length, None).await?;
                note(
                    &mut lock(state).stats.violations,
                    format!("a piece at {start:?}, the session has {have}"),
                );
                lock(state).sessions.insert(id, upload);
                return Ok(Reply::new(400, "wrong Content-Range"));
            }
            if let Err(e) = self.body_into(req.length, Some(&mut upload.hash)).await {
                lock(state).sessions.insert(id, upload);
                return Err(e);
            }
        } else {
            self.body_into(req.length, None).await?;
        }
        let have = upload.hash.len();
        if total == Some(have) {
            let token = upload
                .done
                .clone()
                .unwrap_or_else(|| finished(state, upload.hash.clone()));
            upload.done = Some(token.clone());
            lock(state).sessions.insert(id, upload);
            return Ok(Reply::json(serde_json::json!({ "id": token })));
        }
        lock(state).sessions.insert(id, upload);
        let mut reply = Reply::new(308, "");
        if have > 0 {
            reply = reply.header("Range", format!("bytes=0-{}", have - 1));
        }
        Ok(reply)
    }

    async fn media(&mut self, state: &Shared, req: &Request) -> std::io::Result<()> {
        self.body_into(req.length, None).await?;
        let rest = &req.path()["/media/".len()..];
        let id = rest.split('=').next().unwrap_or("");
        let Some(path) = file_of(state, id) else {
            return self.send(Reply::new(404, "no such media")).await;
        };
        let Ok(mut file) = tokio::fs::File::open(&path).await else {
            return self.send(Reply::new(404, "no such media")).await;
        };
        let Ok(meta) = file.metadata().await else {
            return self.send(Reply::new(404, "no such media")).await;
        };
        let len = meta.len();
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let etag = format!("\"{len:x}-{mtime:x}\"");
        let range = req
            .header("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .filter(|_| req.header("if-range").is_none_or(|v| v == etag));
        let (status, start, end) = match range {
            None => (200, 0, len),
            Some(r) => {
                let (a, b) = r.split_once('-').unwrap_or(("", ""));
                let start = a.trim().parse::<u64>().ok();
                let end = match b.trim() {
                    "" => Some(len),
                    b => b.parse::<u64>().ok().map(|e| e.saturating_add(1).min(len)),
                };
                match (start, end) {
                    (Some(s), Some(e)) if s < e => (206, s, e),
                    _ => {
                        return self
                            .send(
                                Reply::new(416, "")
                                    .header("Content-Range", format!("bytes */{len}")),
                            )
                            .await
                    }
                }
            }
        };
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nContent-Type: video/mp4\r\nETag: {etag}\r\nAccept-Ranges: bytes\r\n",
            reason(status),
            end - start
        );
        if status == 206 {
            head.push_str(&format!(
                "Content-Range: bytes {start}-{}/{len}\r\n",
                end - 1
            ));
        }
        head.push_str("\r\n");
        tokio::time::timeout(IO_TIMEOUT, self.socket.write_all(head.as_bytes()))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
        use tokio::io::AsyncSeekExt;
        file.seek(std::io::SeekFrom::Start(start)).await?;
        let mut left = end - start;
        let mut buf = vec![0u8; BODY_BUF];
        while left > 0 {
            let want = usize::try_from(left).unwrap_or(BODY_BUF).min(BODY_BUF);
            let n = file.read(&mut buf[..want]).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            tokio::time::timeout(IO_TIMEOUT, self.socket.write_all(&buf[..n]))
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
            left -= n as u64;
        }
        Ok(())
    }
}

/// The second part's content of a multipart/related body.
fn multipart_media<'a>(body: &'a [u8], boundary: &str) -> Option<&'a [u8]> {
    if boundary.is_empty() {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |from: usize| {
        body.get(from..)?
            .windows(d.len())
            .position(|w| w == d)
            .map(|p| p + from)
    };
    let first = find(0)?;
    let second = find(first + d.len())?;
    let third = find(second + d.len())?;
    let part = &body[second + d.len()..third];
    let start = part.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    // The part ends with the CRLF before the next delimiter.
    part.get(start..part.len().checked_sub(2)?)
}

/// Records a finished upload; its token names it.
fn finished(state: &Shared, hash: Hash) -> String {
    let mut s = lock(state);
    s.stats.uploads_done += 1;
    s.stats.last_len = hash.len();
    s.stats.last_hash = hash.finish();
    let n = s.next;
    s.next += 1;
    format!("tok-{n}-{}-{:016x}", hash.len(), hash.finish())
}

/// The file behind a media id: a plain name in the served directory.
fn file_of(state: &Shared, id: &str) -> Option<PathBuf> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok {
        return None;
    }
    let path = lock(state).dir.join(id);
    path.is_file().then_some(path)
}

fn item(state: &Shared, id: &str) -> Option<serde_json::Value> {
    file_of(state, id)?;
    let base = lock(state).base.clone();
    Some(serde_json::json!({
        "id": id,
        "filename": id,
        "mimeType": "video/mp4",
        "baseUrl": format!("{base}media/{id}"),
        "mediaMetadata": { "video": { "status": "READY" } },
    }))
}

async fn batch_create(state: &Shared, body: &[u8]) -> Reply {
    let tokens: Vec<String> = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v["newMediaItems"].as_array().map(|items| {
                items
                    .iter()
                    .map(|i| {
                        i["simpleMediaItem"]["uploadToken"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned()
                    })
                    .collect()
            })
        })
        .unwrap_or_default();
    {
        let mut s = lock(state);
        let st = &mut s.stats;
        st.batch_create_calls += 1;
        st.batch_create_items += tokens.len() as u64;
        st.in_flight += 1;
        st.max_in_flight = st.max_in_flight.max(st.in_flight);
        st.max_items = st.max_items.max(tokens.len() as u64);
        if st.in_flight > 1 {
            let n = st.in_flight;
            note(
                &mut st.violations,
                format!("{n} batchCreate calls in flight"),
            );
        }
        if tokens.len() > 50 {
            note(
                &mut st.violations,
                format!("a batchCreate of {} items", tokens.len()),
            );
        }
    }
    // Long enough for an overlapping call to be seen even without the delay.
    tokio::time::sleep(Duration::from_millis(2)).await;
    let results: Vec<serde_json::Value> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({
                "uploadToken": t,
                "status": { "message": "Success" },
                "mediaItem": { "id": format!("item-{i}-{t}"), "filename": format!("f{i}") },
            })
        })
        .collect();
    {
        let mut s = lock(state);
        s.stats.in_flight = s.stats.in_flight.saturating_sub(1);
    }
    Reply::json(serde_json::json!({ "newMediaItemResults": results }))
}

fn stats(state: &Shared) -> serde_json::Value {
    let s = lock(state);
    let st = &s.stats;
    serde_json::json!({
        "requests": st.requests,
        "upload_requests": st.upload_requests,
        "uploads_done": st.uploads_done,
        "last_len": st.last_len,
        "last_hash": format!("{:016x}", st.last_hash),
        "batch_create_calls": st.batch_create_calls,
        "batch_create_items": st.batch_create_items,
        "max_in_flight": st.max_in_flight,
        "max_items": st.max_items,
        "violations": st.violations,
        "errors": st.errors,
    })
}
