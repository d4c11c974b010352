//! Realistic Photos JSON, serialized once.

use serde_json::{json, Value};

pub fn album(id: &str) -> Value {
    json!({
        "id": id,
        "title": "Lisbon, June 2024",
        "productUrl": format!("https://photos.google.com/lr/album/{id}"),
        "isWriteable": true,
        "mediaItemsCount": "128",
        "coverPhotoBaseUrl": "https://lh3.googleusercontent.com/lr/AFBm1_cOvErPh0t0BaSeUrL",
        "coverPhotoMediaItemId": "AGj1epW4c0verMediaItemId"
    })
}

pub fn media_item(n: usize) -> Value {
    json!({
        "id": format!("AGj1epXmediaItem{n:06}"),
        "description": "Sunset over the Tagus from the Miradouro",
        "productUrl": format!("https://photos.google.com/lr/photo/AGj1epXmediaItem{n:06}"),
        "baseUrl": format!("https://lh3.googleusercontent.com/lr/AFBm1_bAsEuRl{n:06}xYz"),
        "mimeType": "image/jpeg",
        "mediaMetadata": {
            "creationTime": "2024-06-01T18:42:07.123456789Z",
            "width": "4032",
            "height": "3024",
            "photo": {
                "cameraMake": "Google",
                "cameraModel": "Pixel 8 Pro",
                "focalLength": 6.9,
                "apertureFNumber": 1.68,
                "isoEquivalent": 51,
                "exposureTime": "0.008s"
            }
        },
        "contributorInfo": {"profilePictureBaseUrl": "https://lh3.googleusercontent.com/a/ACg8ocK", "displayName": "Ana Sousa"},
        "filename": format!("PXL_20240601_{n:06}.jpg")
    })
}

/// A 100-item page; `next` is its `nextPageToken`.
pub fn media_page(page: usize, next: Option<String>) -> Value {
    let items: Vec<Value> = (0..100).map(|i| media_item(page * 100 + i)).collect();
    match next {
        Some(token) => json!({"mediaItems": items, "nextPageToken": token}),
        None => json!({"mediaItems": items}),
    }
}

pub fn albums_page() -> Value {
    let albums: Vec<Value> = (0..50)
        .map(|i| album(&format!("AGj1epU8ZUfIMjUQ{i:04}")))
        .collect();
    json!({"albums": albums, "nextPageToken": "CkMKQXR5cGUuZ29vZ2xlYXBpcy5jb20vZ29vZ2xl"})
}
