//! Renames an album with a read-modify-write patch: fields this version of
//! the crate does not know are sent back unchanged.
//!
//! `PHOTOS_TOKEN=ya29... cargo run -p photoslibrary-v1 --example rename_album -- ALBUM_ID "New title"`

use photoslibrary_v1::models::Album;
use photoslibrary_v1::{Client, Error, FieldMask};

/// Gets the album, changes its title and patches only the title.
pub async fn run(client: &Client, album_id: &str, title: &str) -> Result<Album, Error> {
    let mut album = client.albums().get(album_id).send().await?;
    album.title = Some(title.to_owned());
    client
        .albums()
        .patch(album_id, album)
        .update_mask(FieldMask::new(["title"]))
        .send()
        .await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [album_id, title] = args.as_slice() else {
        eprintln!("usage: rename_album ALBUM_ID NEW_TITLE");
        std::process::exit(2);
    };
    let mut builder =
        Client::builder().bearer_token(std::env::var("PHOTOS_TOKEN").unwrap_or_default());
    if let Ok(url) = std::env::var("PHOTOS_BASE_URL") {
        builder = builder.base_url(url);
    }
    let album = run(&builder.build()?, album_id, title).await?;
    println!(
        "{}: {}",
        album.id.unwrap_or_default(),
        album.title.unwrap_or_default()
    );
    Ok(())
}
