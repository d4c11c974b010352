//! Decoding a 100-item `ListMediaItemsResponse` from bytes, both clients.

use criterion::{criterion_group, criterion_main, Criterion};

// Only the media page is decoded here; the album fixtures serve the bench binary.
#[allow(dead_code)]
#[path = "../src/fixtures.rs"]
mod fixtures;

fn decode(c: &mut Criterion) {
    let bytes = serde_json::to_vec(&fixtures::media_page(0, Some("next".into()))).expect("fixture");
    let mut group = c.benchmark_group("decode 100-item ListMediaItemsResponse");
    group.bench_function("ours", |b| {
        b.iter(|| {
            serde_json::from_slice::<photoslibrary_v1::models::ListMediaItemsResponse>(&bytes)
                .expect("decode")
        })
    });
    group.bench_function("theirs", |b| {
        b.iter(|| {
            serde_json::from_slice::<google_photoslibrary1::api::ListMediaItemsResponse>(&bytes)
                .expect("decode")
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
