//! The SPA's files, served as a good static host serves them: the brotli or
//! gzip copy the build wrote beside each asset when the browser accepts it
//! (`Vary: Accept-Encoding`, the asset's own `Content-Type`), hash-named
//! assets cached for a year, and `index.html` and `config.json` revalidated
//! on every load. Only files present at start-up are served, looked up by
//! exact path, so no spelling of a path reaches outside `dist/`; their
//! copies and headers are worked out then too (files are read per request,
//! so an edited `config.json` is sent as it is now).

use crate::page_policy;
use actix_files::NamedFile;
use actix_web::http::header::{self, AcceptEncoding, ContentEncoding, Encoding, HeaderValue};
use actix_web::{http::Method, web, HttpMessage, HttpRequest, HttpResponse};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Assets whose name carries a content hash never change under that name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else may change in place (a new build, an edited config).
pub const REVALIDATE: &str = "no-cache";

/// The precompressed copies the build writes, best first.
const ENCODINGS: [(ContentEncoding, &str); 2] = [
    (ContentEncoding::Brotli, "br"),
    (ContentEncoding::Gzip, "gz"),
];

/// The built SPA this service serves, with its page policy (sent with
/// each page), worked out once at start-up.
#[derive(Debug, Clone)]
pub struct Site {
    policy: HeaderValue,
    /// By URL path (`/index.html`, `/app-1a2b….wasm`).
    files: HashMap<String, Asset>,
}

/// One file of the SPA and everything about how it is sent, decided at
/// start-up so a request only negotiates and opens.
#[derive(Debug, Clone)]
struct Asset {
    path: PathBuf,
    mime: actix_web::mime::Mime,
    cache_control: &'static str,
    /// Its precompressed copies, best first; a copy older than the file (the
    /// file was edited after the build) is left out.
    copies: Vec<(ContentEncoding, PathBuf)>,
    /// What may be sent: each copy's encoding, then the file as it is.
    offered: Vec<Encoding>,
}

impl Site {
    pub fn new(dir: PathBuf, twilio: bool) -> Self {
        let policy = page_policy::for_dir(&dir, twilio);
        let mut files = HashMap::new();
        collect(&dir, &dir, &mut files);
        Self {
            policy: HeaderValue::from_str(&policy)
                .expect("the page policy is built from header-safe parts"),
            files,
        }
    }

    fn asset(&self, path: &str) -> Option<&Asset> {
        let path = if path == "/" { "/index.html" } else { path };
        self.files.get(path)
    }
}

impl Asset {
    fn new(path: PathBuf) -> Self {
        let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let copies: Vec<(ContentEncoding, PathBuf)> = ENCODINGS
            .iter()
            .map(|(encoding, ext)| {
                let mut name = path.as_os_str().to_owned();
                name.push(format!(".{ext}"));
                (*encoding, PathBuf::from(name))
            })
            .filter(|(_, copy)| modified(copy).is_some_and(|at| Some(at) >= modified(&path)))
            .collect();
        let offered = copies
            .iter()
            .map(|(encoding, _)| Encoding::Known(*encoding))
            .chain(std::iter::once(Encoding::identity()))
            .collect();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        Self {
            mime: actix_files::file_extension_to_mime(extension),
            cache_control: cache_control(name),
            copies,
            offered,
            path,
        }
    }

    /// The copy to send: the best precompressed one the browser accepts,
    /// or the file itself.
    fn variant(&self, accept: Option<&AcceptEncoding>) -> (&Path, Option<ContentEncoding>) {
        let chosen = accept.and_then(|accept| accept.negotiate(self.offered.iter()));
        self.copies
            .iter()
            .find(|(encoding, _)| chosen == Some(Encoding::Known(*encoding)))
            .map_or((self.path.as_path(), None), |(encoding, copy)| {
                (copy.as_path(), Some(*encoding))
            })
    }

    fn is_page(&self) -> bool {
        self.mime.essence_str() == "text/html"
    }
}

/// Every file under `dir` except the precompressed copies, by URL path.
fn collect(root: &Path, dir: &Path, files: &mut HashMap<String, Asset>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
            continue;
        }
        let is_copy = ENCODINGS
            .iter()
            .any(|(_, ext)| path.extension().is_some_and(|e| e == *ext));
        let url = path
            .strip_prefix(root)
            .ok()
            .and_then(Path::to_str)
            .map(|relative| format!("/{}", relative.replace(std::path::MAIN_SEPARATOR, "/")));
        if let (false, Some(url)) = (is_copy, url) {
            files.insert(url, Asset::new(path));
        }
    }
}

/// The `Cache-Control` for a file, from its name: Trunk names what it
/// builds `name-<16 hex digits>` (`app-1a2b3c4d5e6f7a8b_bg.wasm`).
pub fn cache_control(file_name: &str) -> &'static str {
    let stem = file_name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let hashed = stem
        .rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    if hashed {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// Any request outside `/api`: files answer GET and HEAD.
pub async fn serve(request: HttpRequest, site: web::Data<Site>) -> HttpResponse {
    if ![Method::GET, Method::HEAD].contains(request.method()) {
        return crate::error::method_not_allowed().await;
    }
    let Some(asset) = site.asset(request.path()) else {
        return crate::error::not_found().await;
    };
    let accept = request.get_header::<AcceptEncoding>();
    let (path, encoding) = asset.variant(accept.as_ref());
    let Ok(named) = NamedFile::open_async(path).await else {
        return crate::error::not_found().await;
    };
    let mut named = named
        .set_content_type(asset.mime.clone())
        .disable_content_disposition()
        .prefer_utf8(true);
    if let Some(encoding) = encoding {
        named = named.set_content_encoding(encoding);
    }
    let mut response = named.into_response(&request);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(asset.cache_control),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // The policy governs documents; on a script or wasm answer it is bytes
    // every patient downloads for nothing.
    if asset.is_page() {
        headers.insert(header::CONTENT_SECURITY_POLICY, site.policy.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trunks_hash_named_assets_are_cached_for_a_year() {
        for hashed in [
            "hearth-frontend-a7183808386c0494_bg.wasm",
            "hearth-frontend-a7183808386c0494.js",
            "style-a92fe635ef76d263.css",
        ] {
            assert_eq!(cache_control(hashed), IMMUTABLE, "{hashed}");
        }
        for changing in [
            "index.html",
            "config.json",
            "twilio-video.min.js",
            "qrcode.js",
            "style-notahash.css",
        ] {
            assert_eq!(cache_control(changing), REVALIDATE, "{changing}");
        }
    }

    #[test]
    fn the_best_accepted_fresh_copy_is_chosen() {
        let dir = std::env::temp_dir().join(format!("hearth-site-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.wasm");
        std::fs::write(&file, b"raw").unwrap();
        std::fs::write(dir.join("app.wasm.gz"), b"gz").unwrap();
        std::fs::write(dir.join("app.wasm.br"), b"br").unwrap();
        let accept = |value: &str| {
            actix_web::test::TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, value))
                .to_http_request()
                .get_header::<AcceptEncoding>()
        };

        let asset = Asset::new(file.clone());
        let chrome = accept("gzip, deflate, br, zstd");
        assert_eq!(
            asset.variant(chrome.as_ref()).1,
            Some(ContentEncoding::Brotli)
        );
        let gzip_only = accept("gzip");
        assert_eq!(
            asset.variant(gzip_only.as_ref()).1,
            Some(ContentEncoding::Gzip)
        );
        assert_eq!(asset.variant(None), (file.as_path(), None));
        let identity = accept("identity");
        assert_eq!(asset.variant(identity.as_ref()).1, None);

        // A copy older than the file (the file was edited after the build) is not used.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, b"edited").unwrap();
        let edited = Asset::new(file.clone());
        assert_eq!(edited.variant(chrome.as_ref()), (file.as_path(), None));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
