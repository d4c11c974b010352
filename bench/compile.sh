#!/usr/bin/env bash
# Compile cost of each client, as a user sees it: scratch crates that depend
# only on the clients and call a few methods of each.
#   ours / theirs:    photoslibrary-v1 / google-photoslibrary1, five methods
#   ours2 / theirs2:  photoslibrary-v1 + drive-v3 / google-photoslibrary1 +
#                     google-drive3, the same five Photos methods and four of Drive
# Prints a table; run from the repo root: `bash bench/compile.sh`. Each time is
# the median of ROUNDS (default 3) rounds, each round building every crate in
# turn from clean (`rm -rf target`), so a busy spell hits all of them alike.
# Each time is given as wall seconds and, after a slash, CPU seconds (user +
# system of cargo and its rustc processes): on a shared machine the CPU time
# is the steadier figure. ROUNDS=1 for a quick look.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-3}
work="$root/bench/target/scratch"
rm -rf "$work"
mkdir -p "$work"

write_crate() { # name, dependency lines, main.rs
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s\ntokio = { version = "1", features = ["rt", "macros"] }\n\n[workspace]\n' "$1" "$2" > "$work/$1/Cargo.toml"
  printf '%s\n' "$3" > "$work/$1/src/main.rs"
}

ours_photos='
    let a = c.albums().get("A").send().await?;
    let l = c.albums().list().page_size(50).send().await?;
    let s = c.media_items().search(SearchMediaItemsRequest { page_size: Some(100), ..Default::default() }).send().await?;
    let b = c.media_items().batch_get().media_item_ids(["x"]).send().await?;
    let n = c.albums().create(CreateAlbumRequest { album: Some(Album { title: Some("t".into()), ..Default::default() }), ..Default::default() }).send().await?;
    println!("{a:?} {l:?} {s:?} {b:?} {n:?}");'
theirs_photos='
    let a = hub.albums().get("A").doit().await?;
    let l = hub.albums().list().page_size(50).doit().await?;
    let s = hub.media_items().search(SearchMediaItemsRequest { page_size: Some(100), ..Default::default() }).doit().await?;
    let b = hub.media_items().batch_get().add_media_item_ids("x").doit().await?;
    let n = hub.albums().create(CreateAlbumRequest { album: Some(Album { title: Some("t".into()), ..Default::default() }) }).doit().await?;
    println!("{:?} {:?} {:?} {:?} {:?}", a.1, l.1, s.1, b.1, n.1);'
theirs_client='
    let connector = hyper_rustls::HttpsConnectorBuilder::new().with_native_roots().unwrap().https_or_http().enable_http2().build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);'

write_crate ours "photoslibrary-v1 = { path = \"$root/apis/photoslibrary-v1\" }" "
use photoslibrary_v1::models::*;
#[tokio::main(flavor = \"current_thread\")]
async fn main() -> Result<(), photoslibrary_v1::Error> {
    let c = photoslibrary_v1::Client::builder().bearer_token(\"t\").build()?;$ours_photos
    Ok(())
}"

write_crate theirs 'google-photoslibrary1 = "7"' "
use google_photoslibrary1::{api::*, hyper_rustls, hyper_util, PhotosLibrary};
#[tokio::main(flavor = \"current_thread\")]
async fn main() -> Result<(), google_photoslibrary1::Error> {$theirs_client
    let hub = PhotosLibrary::new(client, \"t\".to_string());$theirs_photos
    Ok(())
}"

# Two APIs: one token, one error type on our side; one hyper client shared by
# both hubs on theirs (their Error is google-apis-common's for both).
write_crate ours2 "photoslibrary-v1 = { path = \"$root/apis/photoslibrary-v1\" }
drive-v3 = { path = \"$root/generated/drive-v3\" }" "
use photoslibrary_v1::models::*;
#[tokio::main(flavor = \"current_thread\")]
async fn main() -> Result<(), photoslibrary_v1::Error> {
    let c = photoslibrary_v1::Client::builder().bearer_token(\"t\").build()?;$ours_photos
    let d = drive_v3::Client::builder().bearer_token(\"t\").build()?;
    let about = d.about().get().fields(\"*\").send().await?;
    let files = d.files().list().page_size(10).q(\"trashed = false\").send().await?;
    let file = d.files().get(\"F\").send().await?;
    let perms = d.permissions().list(\"F\").send().await?;
    println!(\"{about:?} {files:?} {file:?} {perms:?}\");
    Ok(())
}"

write_crate theirs2 'google-photoslibrary1 = "7"
google-drive3 = "7"' "
use google_photoslibrary1::{api::*, hyper_rustls, hyper_util, PhotosLibrary};
use google_drive3::DriveHub;
#[tokio::main(flavor = \"current_thread\")]
async fn main() -> Result<(), google_photoslibrary1::Error> {$theirs_client
    let hub = PhotosLibrary::new(client.clone(), \"t\".to_string());$theirs_photos
    let d = DriveHub::new(client, \"t\".to_string());
    let about = d.about().get().param(\"fields\", \"*\").doit().await?;
    let files = d.files().list().page_size(10).q(\"trashed = false\").doit().await?;
    let file = d.files().get(\"F\").doit().await?;
    let perms = d.permissions().list(\"F\").doit().await?;
    println!(\"{:?} {:?} {:?} {:?}\", about.1, files.1, file.1, perms.1);
    Ok(())
}"

# Runs a command; prints "wall cpu" in seconds (cpu: user + system of cargo
# and every rustc it waited for, which a busy machine inflates far less).
seconds() {
  local log t
  log=$(mktemp)
  t=$(mktemp)
  if ! { TIMEFORMAT='%R %U %S'; time "$@" >"$log" 2>&1; } 2>"$t"; then
    echo "failed: $* (in $PWD)" >&2
    cat "$log" >&2
    exit 1
  fi
  awk '{ printf "%.1f %.1f", $1, $2 + $3 }' "$t"
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

crates_list=(ours theirs ours2 theirs2)
for c in "${crates_list[@]}"; do
  (cd "$work/$c" && cargo generate-lockfile -q && cargo fetch -q)
done

declare -A check release incr crates check_w check_u release_w release_u incr_w incr_u
for r in $(seq "$rounds"); do
  for c in "${crates_list[@]}"; do
    cd "$work/$c"
    rm -rf target
    out=$(seconds cargo check); read -r w u <<<"$out"; check_w[$c]+=" $w"; check_u[$c]+=" $u"
    rm -rf target
    out=$(seconds cargo build --release); read -r w u <<<"$out"; release_w[$c]+=" $w"; release_u[$c]+=" $u"
    touch src/main.rs
    out=$(seconds cargo build --release); read -r w u <<<"$out"; incr_w[$c]+=" $w"; incr_u[$c]+=" $u"
    echo "round $r $c: check${check_w[$c]} /${check_u[$c]}; release${release_w[$c]} /${release_u[$c]}; incremental${incr_w[$c]} /${incr_u[$c]}" >&2
  done
done
for c in "${crates_list[@]}"; do
  cd "$work/$c"
  crates[$c]=$(cargo tree -e normal --prefix none 2>/dev/null | sed 's/ (.*//; s/ (\*)//' | sort -u | grep -v "^$c v" | wc -l)
  # shellcheck disable=SC2086
  check[$c]="$(median ${check_w[$c]})/$(median ${check_u[$c]})"
  # shellcheck disable=SC2086
  release[$c]="$(median ${release_w[$c]})/$(median ${release_u[$c]})"
  # shellcheck disable=SC2086
  incr[$c]="$(median ${incr_w[$c]})/$(median ${incr_u[$c]})"
done
(cd "$work/theirs2" && cargo tree -e normal --depth 1 --prefix none | grep -E '^google-(drive3|photoslibrary1|apis-common) ' >&2) || true

theirs_src=$(ls -d "$HOME"/.cargo/registry/src/*/google-photoslibrary1-7*/src | head -1)
# Ours with its runtime: the generated crate plus discovery-runtime (and, when
# the crate has one, the overlay it includes); theirs plus google-apis-common.
runtime_lines=$(cat $(find "$root/generator/runtime/src" -name '*.rs') | wc -l)
ours_lines=$(($(cat $(find "$root/apis/photoslibrary-v1/src" -name '*.rs') | wc -l) + runtime_lines))
theirs_lines=$(cat $(find "$theirs_src" -name '*.rs') | wc -l)
# Emitted from the document (ours: api/, models, scopes, lib, and the client
# and stub modules; theirs: all of it, its runtime being google-apis-common).
ours_emitted=$(cat "$root"/apis/photoslibrary-v1/src/generated/api/*.rs "$root"/apis/photoslibrary-v1/src/generated/{models,scopes,mod,client,stub}.rs 2>/dev/null | wc -l)
common_src=$(ls -d "$HOME"/.cargo/registry/src/*/google-apis-common-8*/src | head -1)
common_lines=$(cat $(find "$common_src" -name '*.rs') | wc -l)

printf '%-58s %12s %12s %11s\n' figure ours theirs ratio
# Times are "wall/cpu"; the ratio is given for both.
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
row() {
  if [[ $2 == */* ]]; then
    printf '%-58s %12s %12s %5s/%-5s\n' "$1" "$2" "$3" "$(ratio "${2%/*}" "${3%/*}")" "$(ratio "${2#*/}" "${3#*/}")"
  else
    printf '%-58s %12s %12s %11s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"
  fi
}
row "clean cargo check, Photos (s)" "${check[ours]}" "${check[theirs]}"
row "clean release build, Photos (s)" "${release[ours]}" "${release[theirs]}"
row "incremental release rebuild after touching main.rs (s)" "${incr[ours]}" "${incr[theirs]}"
row "crates in the normal dependency tree, Photos" "${crates[ours]}" "${crates[theirs]}"
row "clean cargo check, Photos + Drive (s)" "${check[ours2]}" "${check[theirs2]}"
row "clean release build, Photos + Drive (s)" "${release[ours2]}" "${release[theirs2]}"
row "incremental rebuild, Photos + Drive (s)" "${incr[ours2]}" "${incr[theirs2]}"
row "crates in the normal dependency tree, Photos + Drive" "${crates[ours2]}" "${crates[theirs2]}"
row "lines emitted from the document (Photos)" "$ours_emitted" "$theirs_lines"
row "lines of the client with its runtime (Photos)" "$ours_lines" "$((theirs_lines + common_lines))"
