//! Type fidelity of the generated models: every Photos schema round-trips a
//! realistic JSON document unchanged (int64 strings, nanosecond timestamps,
//! durations, unknown enum values, unknown fields), plus property tests for
//! the value types.

use std::collections::BTreeSet;

use photoslibrary_v1::chrono::{DateTime, Utc};
use photoslibrary_v1::models::*;
use photoslibrary_v1::types::{Bytes, Duration};
use photoslibrary_v1::FieldMask;
use proptest::prelude::*;
use serde_json::{json, Value};

fn fixtures() -> serde_json::Map<String, Value> {
    let text = include_str!("fixtures/photos_models.json");
    serde_json::from_str(text).expect("the fixture file is JSON")
}

/// Decodes `value` as `T`, re-encodes it and checks nothing changed.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, value: &Value) {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, value, "{name} changed in a round trip");
    // And from bytes, as the client decodes responses.
    let bytes = serde_json::to_vec(value).unwrap();
    let typed: T = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        value,
        "{name} changed decoding from bytes"
    );
}

macro_rules! check_all {
    ($fixtures:expr, $($ty:ident),* $(,)?) => {{
        let mut checked = BTreeSet::new();
        $(
            let value = $fixtures.get(stringify!($ty)).unwrap_or_else(|| panic!("no fixture for {}", stringify!($ty)));
            round_trip::<$ty>(stringify!($ty), value);
            checked.insert(stringify!($ty).to_string());
        )*
        checked
    }};
}

#[test]
fn every_photos_schema_round_trips_a_realistic_document() {
    let fixtures = fixtures();
    let checked = check_all!(
        fixtures,
        AddEnrichmentToAlbumRequest,
        AddEnrichmentToAlbumResponse,
        Album,
        AlbumPosition,
        BatchAddMediaItemsToAlbumRequest,
        BatchAddMediaItemsToAlbumResponse,
        BatchCreateMediaItemsRequest,
        BatchCreateMediaItemsResponse,
        BatchGetMediaItemsResponse,
        BatchRemoveMediaItemsFromAlbumRequest,
        BatchRemoveMediaItemsFromAlbumResponse,
        ContentFilter,
        ContributorInfo,
        CreateAlbumRequest,
        Date,
        DateFilter,
        DateRange,
        EnrichmentItem,
        FeatureFilter,
        Filters,
        JoinSharedAlbumRequest,
        JoinSharedAlbumResponse,
        LatLng,
        LeaveSharedAlbumRequest,
        LeaveSharedAlbumResponse,
        ListAlbumsResponse,
        ListMediaItemsResponse,
        ListSharedAlbumsResponse,
        Location,
        LocationEnrichment,
        MapEnrichment,
        MediaItem,
        MediaItemResult,
        MediaMetadata,
        MediaTypeFilter,
        NewEnrichmentItem,
        NewMediaItem,
        NewMediaItemResult,
        Photo,
        SearchMediaItemsRequest,
        SearchMediaItemsResponse,
        ShareAlbumRequest,
        ShareAlbumResponse,
        ShareInfo,
        SharedAlbumOptions,
        SimpleMediaItem,
        Status,
        TextEnrichment,
        UnshareAlbumRequest,
        UnshareAlbumResponse,
        Video,
    );
    // Every schema of the document is covered, and every fixture is used.
    let doc: Value =
        serde_json::from_str(include_str!("../discovery/photoslibrary.v1.json")).unwrap();
    let schemas: BTreeSet<String> = doc["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(schemas.len(), 51);
    assert_eq!(checked, schemas);
    assert_eq!(fixtures.keys().cloned().collect::<BTreeSet<_>>(), schemas);
}

#[test]
fn typed_values_decode_to_what_the_wire_says() {
    let fixtures = fixtures();
    let item: MediaItem = serde_json::from_value(fixtures["MediaItem"].clone()).unwrap();
    let metadata = item.media_metadata.unwrap();
    assert_eq!(metadata.width, Some(4032));
    let created = metadata.creation_time.unwrap();
    assert_eq!(created.timestamp(), 1_717_267_327);
    assert_eq!(created.timestamp_subsec_nanos(), 123_456_789);
    let exposure = metadata.photo.unwrap().exposure_time.unwrap();
    assert_eq!((exposure.seconds(), exposure.nanos()), (0, 8_000_000));

    let filter: ContentFilter = serde_json::from_value(fixtures["ContentFilter"].clone()).unwrap();
    let included = filter.included_content_categories.unwrap();
    assert_eq!(
        included[0],
        ContentFilterIncludedContentCategories::Landscapes
    );
    assert_eq!(
        included[2],
        ContentFilterIncludedContentCategories::UnknownValue("A_CATEGORY_ADDED_LATER".into())
    );
    assert_eq!(included[2].as_str(), "A_CATEGORY_ADDED_LATER");
}

#[test]
fn int64_sent_as_a_number_still_decodes() {
    let album: Album = serde_json::from_value(json!({"mediaItemsCount": 42})).unwrap();
    assert_eq!(album.media_items_count, Some(42));
    let album: Album =
        serde_json::from_value(json!({"mediaItemsCount": "9223372036854775807"})).unwrap();
    assert_eq!(album.media_items_count, Some(i64::MAX));
    // Written back as a string, as the API expects.
    assert_eq!(
        serde_json::to_value(&album).unwrap(),
        json!({"mediaItemsCount": "9223372036854775807"})
    );
    assert!(serde_json::from_value::<Album>(json!({"mediaItemsCount": "12x"})).is_err());
    assert!(serde_json::from_value::<Album>(json!({"mediaItemsCount": 1.5})).is_err());
}

#[test]
fn floats_accept_google_special_values() {
    for (wire, check) in [
        ("NaN", f64::is_nan as fn(f64) -> bool),
        ("Infinity", |v: f64| v == f64::INFINITY),
        ("-Infinity", |v: f64| v == f64::NEG_INFINITY),
    ] {
        let video: Video = serde_json::from_value(json!({"fps": wire})).unwrap();
        assert!(check(video.fps.unwrap()), "{wire}");
        assert_eq!(serde_json::to_value(&video).unwrap(), json!({"fps": wire}));
    }
    let video: Video = serde_json::from_value(json!({"fps": 29.97})).unwrap();
    assert_eq!(serde_json::to_value(&video).unwrap(), json!({"fps": 29.97}));
}

#[test]
fn unknown_fields_survive_a_read_modify_write() {
    let from_server = json!({
        "id": "A1",
        "title": "Old",
        "mediaItemsCount": "3",
        "addedNextYear": {"deep": [true, null, "x"]},
        "anotherNewField": 7
    });
    let mut album: Album = serde_json::from_value(from_server.clone()).unwrap();
    assert_eq!(album.unknown_fields.len(), 2);
    album.title = Some("New".into());
    let sent = serde_json::to_value(&album).unwrap();
    let mut expected = from_server;
    expected["title"] = json!("New");
    assert_eq!(sent, expected);
}

#[test]
fn none_is_skipped_and_null_reads_as_none() {
    let album: Album = serde_json::from_value(json!({"title": null, "id": "A"})).unwrap();
    assert_eq!(album.title, None);
    assert_eq!(serde_json::to_value(&album).unwrap(), json!({"id": "A"}));
    assert_eq!(serde_json::to_value(Album::default()).unwrap(), json!({}));
}

#[test]
fn wrong_types_are_decode_errors_naming_the_problem() {
    let err = serde_json::from_value::<Album>(json!({"isWriteable": "yes"})).unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
    let err = serde_json::from_value::<Album>(json!(["not", "an", "object"])).unwrap_err();
    assert!(err.to_string().contains("Album"), "{err}");
}

proptest! {
    #[test]
    fn int64_round_trips(n in any::<i64>()) {
        let album = Album { media_items_count: Some(n), ..Default::default() };
        let value = serde_json::to_value(&album).unwrap();
        prop_assert_eq!(&value, &json!({"mediaItemsCount": n.to_string()}));
        let back: Album = serde_json::from_value(value).unwrap();
        prop_assert_eq!(back.media_items_count, Some(n));
        let from_number: Album = serde_json::from_value(json!({"mediaItemsCount": n})).unwrap();
        prop_assert_eq!(from_number.media_items_count, Some(n));
    }

    #[test]
    fn durations_round_trip(seconds in -315_576_000_000i64..315_576_000_000, nanos in 0i32..1_000_000_000) {
        let d = Duration::new(seconds, if seconds < 0 { -nanos } else { nanos });
        let text = d.to_string();
        prop_assert_eq!(text.parse::<Duration>().unwrap(), d);
        let photo = Photo { exposure_time: Some(d), ..Default::default() };
        let back: Photo = serde_json::from_value(serde_json::to_value(&photo).unwrap()).unwrap();
        prop_assert_eq!(back.exposure_time, Some(d));
    }

    #[test]
    fn timestamps_round_trip_with_nanoseconds(seconds in 0i64..253_402_300_799, nanos in 0u32..1_000_000_000) {
        let t: DateTime<Utc> = DateTime::from_timestamp(seconds, nanos).unwrap();
        let meta = MediaMetadata { creation_time: Some(t), ..Default::default() };
        let value = serde_json::to_value(&meta).unwrap();
        let text = value["creationTime"].as_str().unwrap().to_string();
        prop_assert!(text.ends_with('Z'));
        let back: MediaMetadata = serde_json::from_value(value).unwrap();
        prop_assert_eq!(back.creation_time, Some(t));
        // The text form is stable too: decoding and re-encoding gives it back.
        let again = serde_json::to_value(&back).unwrap();
        prop_assert_eq!(again["creationTime"].as_str().unwrap(), text.as_str());
    }

    #[test]
    fn field_masks_round_trip(paths in proptest::collection::vec("[a-zA-Z][a-zA-Z0-9_.]{0,12}", 0..6)) {
        let mask = FieldMask::new(paths.clone());
        let text = mask.to_string();
        prop_assert_eq!(text.parse::<FieldMask>().unwrap(), mask.clone());
        let parsed = FieldMask::from(text.as_str());
        prop_assert_eq!(parsed.paths(), &paths[..]);
    }

    #[test]
    fn bytes_round_trip_in_every_alphabet(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let b = Bytes(data.clone());
        let standard = b.to_base64();
        prop_assert_eq!(Bytes::from_base64(&standard).unwrap().0, data.clone());
        let url_safe = standard.replace('+', "-").replace('/', "_");
        prop_assert_eq!(Bytes::from_base64(&url_safe).unwrap().0, data.clone());
        let unpadded = url_safe.trim_end_matches('=');
        prop_assert_eq!(Bytes::from_base64(unpadded).unwrap().0, data);
    }
}
