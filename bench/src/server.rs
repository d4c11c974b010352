//! A minimal HTTP/1.1 fixture server on loopback (keep-alive, Content-Length
//! bodies), answering with responses serialized once at startup.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::fixtures;

pub const PAGES: usize = 10;

struct Responses {
    album: Vec<u8>,
    albums: Vec<u8>,
    pages: Vec<Vec<u8>>,
}

fn response(body: &serde_json::Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).expect("fixtures serialize");
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

pub async fn serve(listener: TcpListener) {
    let responses = std::sync::Arc::new(Responses {
        album: response(&fixtures::album("AGj1epU8ZUfIMjUQ3kyTQiQXq2sc")),
        albums: response(&fixtures::albums_page()),
        pages: (0..PAGES)
            .map(|p| {
                response(&fixtures::media_page(
                    p,
                    (p + 1 < PAGES).then(|| format!("page-{}", p + 1)),
                ))
            })
            .collect(),
    });
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        let responses = responses.clone();
        tokio::spawn(async move {
            let _ = connection(socket, &responses).await;
        });
    }
}

async fn connection(mut socket: TcpStream, responses: &Responses) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(8192);
    loop {
        // Read until the end of the headers.
        let header_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        while buf.len() < header_end + length {
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = &buf[header_end..header_end + length];
        let path = head.split_whitespace().nth(1).unwrap_or("/");
        let reply: &[u8] = if path.starts_with("/v1/mediaItems:search") {
            let token = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["pageToken"].as_str().map(str::to_owned));
            let page = token
                .and_then(|t| {
                    t.strip_prefix("page-")
                        .and_then(|n| n.parse::<usize>().ok())
                })
                .unwrap_or(0);
            &responses.pages[page.min(PAGES - 1)]
        } else if path.starts_with("/v1/albums/") {
            &responses.album
        } else if path.starts_with("/v1/albums") {
            &responses.albums
        } else {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        };
        socket.write_all(reply).await?;
        buf.drain(..header_end + length);
    }
}
