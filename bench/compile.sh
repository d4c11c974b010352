#!/usr/bin/env bash
# Compile cost of each client, as a user sees it: a scratch crate that depends
# only on the client and calls five methods. Prints a table; run from the repo
# root: `bash bench/compile.sh`. Each figure is one clean run on this machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bench/target/scratch"
rm -rf "$work"
mkdir -p "$work"

write_crate() { # name, dependency line, main.rs
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s\ntokio = { version = "1", features = ["rt", "macros"] }\n\n[workspace]\n' "$1" "$2" > "$work/$1/Cargo.toml"
  printf '%s\n' "$3" > "$work/$1/src/main.rs"
}

write_crate ours "photoslibrary-v1 = { path = \"$root/generated/photoslibrary-v1\" }" '
use photoslibrary_v1::models::*;
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), photoslibrary_v1::Error> {
    let c = photoslibrary_v1::Client::builder().bearer_token("t").build()?;
    let a = c.albums().get("A").send().await?;
    let l = c.albums().list().page_size(50).send().await?;
    let s = c.media_items().search(SearchMediaItemsRequest { page_size: Some(100), ..Default::default() }).send().await?;
    let b = c.media_items().batch_get().media_item_ids(["x"]).send().await?;
    let n = c.albums().create(CreateAlbumRequest { album: Some(Album { title: Some("t".into()), ..Default::default() }), ..Default::default() }).send().await?;
    println!("{a:?} {l:?} {s:?} {b:?} {n:?}");
    Ok(())
}'

write_crate theirs 'google-photoslibrary1 = "7"' '
use google_photoslibrary1::{api::*, hyper_rustls, hyper_util, PhotosLibrary};
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), google_photoslibrary1::Error> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new().with_native_roots().unwrap().https_or_http().enable_http2().build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
    let hub = PhotosLibrary::new(client, "t".to_string());
    let a = hub.albums().get("A").doit().await?;
    let l = hub.albums().list().page_size(50).doit().await?;
    let s = hub.media_items().search(SearchMediaItemsRequest { page_size: Some(100), ..Default::default() }).doit().await?;
    let b = hub.media_items().batch_get().add_media_item_ids("x").doit().await?;
    let n = hub.albums().create(CreateAlbumRequest { album: Some(Album { title: Some("t".into()), ..Default::default() }) }).doit().await?;
    println!("{:?} {:?} {:?} {:?} {:?}", a.1, l.1, s.1, b.1, n.1);
    Ok(())
}'

seconds() {
  local s log
  s=$(date +%s.%N)
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    echo "failed: $* (in $PWD)" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "$(date +%s.%N) - $s" | bc | xargs printf '%.1f'
}

for c in ours theirs; do
  (cd "$work/$c" && cargo generate-lockfile -q && cargo fetch -q)
done
printf '%-48s %10s %10s %7s\n' figure ours theirs ratio
row() { printf '%-48s %10s %10s %7.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }

declare -A check release incr crates
for c in ours theirs; do
  cd "$work/$c"
  check[$c]=$(seconds cargo check)
  rm -rf target
  release[$c]=$(seconds cargo build --release)
  touch src/main.rs
  incr[$c]=$(seconds cargo build --release)
  crates[$c]=$(cargo tree -e normal --prefix none 2>/dev/null | sed 's/ (.*//; s/ (\*)//' | sort -u | grep -v "^$c v" | wc -l)
done
theirs_src=$(ls -d "$HOME"/.cargo/registry/src/*/google-photoslibrary1-7*/src | head -1)
ours_lines=$(cat $(find "$root/generated/photoslibrary-v1/src" -name '*.rs') | wc -l)
theirs_lines=$(cat $(find "$theirs_src" -name '*.rs') | wc -l)
# Emitted from the document (ours: api/, models, scopes, lib; theirs: all of it,
# its runtime being the separate google-apis-common crate).
ours_emitted=$(cat "$root"/generated/photoslibrary-v1/src/api/*.rs "$root"/generated/photoslibrary-v1/src/{models,scopes,lib}.rs | wc -l)
common_src=$(ls -d "$HOME"/.cargo/registry/src/*/google-apis-common-8*/src | head -1)
common_lines=$(cat $(find "$common_src" -name '*.rs') | wc -l)

row "clean cargo check of the scratch crate (s)" "${check[ours]}" "${check[theirs]}"
row "clean release build of the scratch crate (s)" "${release[ours]}" "${release[theirs]}"
row "incremental release rebuild after touching main.rs (s)" "${incr[ours]}" "${incr[theirs]}"
row "crates in the normal dependency tree" "${crates[ours]}" "${crates[theirs]}"
row "lines emitted from the document" "$ours_emitted" "$theirs_lines"
row "lines of the client with its runtime" "$ours_lines" "$((theirs_lines + common_lines))"
