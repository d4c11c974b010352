//! Searches the library by date range and content category.
//!
//! `PHOTOS_TOKEN=ya29... cargo run -p photoslibrary-v1 --example search -- 2024-06-01 2024-06-30 LANDSCAPES`

use futures_util::TryStreamExt;
use photoslibrary_v1::models::{
    ContentFilter, ContentFilterIncludedContentCategories, Date, DateFilter, DateRange, Filters,
    MediaItem, SearchMediaItemsRequest,
};
use photoslibrary_v1::{Client, Error};

fn date(text: &str) -> Result<Date, Error> {
    let bad = || Error::InvalidArgument {
        name: "date".into(),
        message: format!("{text:?} is not YYYY-MM-DD"),
    };
    let mut parts = text.split('-').map(|p| p.parse::<i32>().map_err(|_| bad()));
    let (year, month, day) = (
        parts.next().ok_or_else(bad)??,
        parts.next().ok_or_else(bad)??,
        parts.next().ok_or_else(bad)??,
    );
    Ok(Date {
        year: Some(year),
        month: Some(month),
        day: Some(day),
        ..Default::default()
    })
}

/// Every media item created between `from` and `to` (inclusive, YYYY-MM-DD)
/// in `category` (e.g. `LANDSCAPES`).
pub async fn run(
    client: &Client,
    from: &str,
    to: &str,
    category: &str,
) -> Result<Vec<MediaItem>, Error> {
    let request = SearchMediaItemsRequest {
        page_size: Some(100),
        filters: Some(Filters {
            date_filter: Some(DateFilter {
                ranges: Some(vec![DateRange {
                    start_date: Some(date(from)?),
                    end_date: Some(date(to)?),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            content_filter: Some(ContentFilter {
                included_content_categories: Some(vec![
                    ContentFilterIncludedContentCategories::from(category),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    client
        .media_items()
        .search(request)
        .items()
        .try_collect()
        .await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to, category] = args.as_slice() else {
        eprintln!("usage: search FROM TO CATEGORY   (dates as YYYY-MM-DD, e.g. LANDSCAPES)");
        std::process::exit(2);
    };
    let mut builder =
        Client::builder().bearer_token(std::env::var("PHOTOS_TOKEN").unwrap_or_default());
    if let Ok(url) = std::env::var("PHOTOS_BASE_URL") {
        builder = builder.base_url(url);
    }
    for item in run(&builder.build()?, from, to, category).await? {
        println!(
            "{}  {}",
            item.filename.unwrap_or_default(),
            item.product_url.unwrap_or_default()
        );
    }
    Ok(())
}
