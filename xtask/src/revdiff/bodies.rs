//! What a call sends and gets back: the request body, the response, the
//! pages and items read from it, and media upload and download.

use generator::ir::{Method, TypeRef};

use super::common::rust;
use super::{Diff, Level};

impl Diff {
    pub(super) fn bodies(&mut self, id: &str, om: &Method, nm: &Method) {
        // The body is the accessor's last argument; the response is `send`'s
        // (and the stub method's) output.
        match (&om.request, &nm.request) {
            (None, Some(b)) => self.push(
                Level::Breaking,
                "request body added",
                format!("{id} ({})", rust(&b.ty)),
            ),
            (Some(b), None) => self.push(
                Level::Breaking,
                "request body removed",
                format!("{id} ({})", rust(&b.ty)),
            ),
            (Some(a), Some(b)) if a.ty != b.ty => self.push(
                Level::Breaking,
                "request type changed",
                format!("{id} ({} -> {})", rust(&a.ty), rust(&b.ty)),
            ),
            _ => {}
        }
        let response = |r: &Option<TypeRef>| r.as_ref().map(rust).unwrap_or_else(|| "()".into());
        if om.response != nm.response {
            self.push(
                Level::Breaking,
                "response type changed",
                format!(
                    "{id} ({} -> {})",
                    response(&om.response),
                    response(&nm.response)
                ),
            );
        }
        self.pagination(id, om, nm);
        self.media(id, om, nm);
    }

    /// `pages()`, and `items()` when the response has a list of items.
    fn pagination(&mut self, id: &str, om: &Method, nm: &Method) {
        match (&om.pagination, &nm.pagination) {
            (None, Some(p)) => {
                let items = p
                    .items
                    .as_ref()
                    .map(|i| format!(" (pages, items: {})", rust(&i.item)))
                    .unwrap_or_else(|| " (pages)".into());
                self.push(Level::Minor, "pagination added", format!("{id}{items}"));
            }
            (Some(_), None) => self.push(Level::Breaking, "pagination removed", id),
            (Some(a), Some(b)) => {
                match (&a.items, &b.items) {
                    (None, Some(i)) => self.push(
                        Level::Minor,
                        "pagination items added",
                        format!("{id} ({})", rust(&i.item)),
                    ),
                    (Some(_), None) => self.push(Level::Breaking, "pagination items removed", id),
                    (Some(x), Some(y)) if x.item != y.item => self.push(
                        Level::Breaking,
                        "pagination item type changed",
                        format!("{id} ({} -> {})", rust(&x.item), rust(&y.item)),
                    ),
                    // Another field of the same type: `items()` is the same
                    // function reading elsewhere.
                    (Some(x), Some(y)) if x.field != y.field => self.push(
                        Level::Patch,
                        "pagination items field changed",
                        format!("{id} ({} -> {})", x.field.wire, y.field.wire),
                    ),
                    _ => {}
                }
                if a.token_in != b.token_in || a.next_token != b.next_token {
                    self.push(Level::Patch, "pagination token changed", id);
                }
            }
            (None, None) => {}
        }
    }

    /// `upload()` and `download()` on the builder.
    fn media(&mut self, id: &str, om: &Method, nm: &Method) {
        match (&om.media_upload, &nm.media_upload) {
            (None, Some(_)) => self.push(Level::Minor, "media upload added", id),
            (Some(_), None) => self.push(Level::Breaking, "media upload removed", id),
            (Some(a), Some(b)) => {
                // `upload()` stays; what it accepts or where it goes changes.
                let mut what = Vec::new();
                if a.accept != b.accept {
                    what.push("accept");
                }
                if a.max_size != b.max_size {
                    what.push("max size");
                }
                if a.multipart != b.multipart {
                    what.push("multipart path");
                }
                if a.resumable != b.resumable {
                    what.push("resumable path");
                }
                if !what.is_empty() {
                    self.push(
                        Level::Patch,
                        "media upload changed",
                        format!("{id} ({})", what.join(", ")),
                    );
                }
            }
            (None, None) => {}
        }
        match (om.supports_media_download, nm.supports_media_download) {
            (false, true) => self.push(Level::Minor, "media download added", id),
            (true, false) => self.push(Level::Breaking, "media download removed", id),
            (true, true) if om.use_media_download_service != nm.use_media_download_service => {
                self.push(Level::Patch, "media download service changed", id)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::revdiff::fixture::{edited, lines, report};

    #[test]
    fn pagination_removed_is_major() {
        let r = report(&edited(&[(
            r#""nextPageToken": {"type": "string"}"#,
            r#""next": {"type": "string"}"#,
        )]));
        assert_eq!(
            lines(&r),
            [
                "breaking  field removed: ItemList.nextPageToken (String)",
                "breaking  pagination removed: demo.items.list",
                "minor     field added: ItemList.next (String)",
            ]
        );
    }
}
