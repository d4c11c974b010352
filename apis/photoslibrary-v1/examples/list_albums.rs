//! Lists every album of the library, following all pages.
//!
//! `PHOTOS_TOKEN=ya29... cargo run -p photoslibrary-v1 --example list_albums`

use futures_util::TryStreamExt;
use photoslibrary_v1::{Client, Error};

/// Title and item count of every album, in the order the API lists them.
pub async fn run(client: &Client) -> Result<Vec<(String, i64)>, Error> {
    let albums: Vec<_> = client
        .albums()
        .list()
        .page_size(50)
        .items()
        .try_collect()
        .await?;
    Ok(albums
        .into_iter()
        .map(|a| {
            (
                a.title.unwrap_or_default(),
                a.media_items_count.unwrap_or(0),
            )
        })
        .collect())
}

/// A client from `PHOTOS_TOKEN` (and `PHOTOS_BASE_URL`, to point it elsewhere).
pub fn client_from_env() -> Result<Client, Error> {
    let mut builder =
        Client::builder().bearer_token(std::env::var("PHOTOS_TOKEN").unwrap_or_default());
    if let Ok(url) = std::env::var("PHOTOS_BASE_URL") {
        builder = builder.base_url(url);
    }
    builder.build()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    for (title, count) in run(&client_from_env()?).await? {
        println!("{count:>6}  {title}");
    }
    Ok(())
}
