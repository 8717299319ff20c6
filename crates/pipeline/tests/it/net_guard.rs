//! The `http` task's network guard against a real local server, plus the guard's decision
//! functions.
//!
//! Only 127.0.0.1 exists here, so a "public" first hop cannot be served. The redirect and
//! resolver checks are therefore tested twice: as functions ([`redirect_check`],
//! [`filter_resolved`]), and end to end by calling the guarded client directly with an IP-literal
//! first hop, which only the task checks (the task itself refuses it first, see
//! `guard_refuses_loopback_ip_literal`), so the second hop meets the client's own checks.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use linkpool_pipeline::{
    net_guard::{
        check_url, filter_resolved, is_restricted, redirect_check, GuardedResolver, NetworkDenied, RedirectRefused,
        TooManyRedirects,
    },
    Deps, HttpClients, HttpLimits, NoopObserver, Pipeline, RunContext, Runner, TaskError, Value, Vars,
};
use reqwest::{dns::Resolve, Url};

type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// A local server: `/ok`, `/hops/{n}` (n redirects, then a body), `/loop` (redirects to itself),
/// `/redirect?to=URL`, `/big` (with Content-Length), `/stream` (chunked, no length), `/slow`.
struct Server {
    addr: SocketAddr,
    hits: Hits,
}

fn hit(hits: &Hits, key: &str) {
    *hits.lock().unwrap().entry(key.to_owned()).or_default() += 1;
}

fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

impl Server {
    async fn start() -> Self {
        let hits: Hits = Arc::default();
        let app = Router::new()
            .route(
                "/ok",
                get(|State(h): State<Hits>| async move {
                    hit(&h, "/ok");
                    "ok"
                }),
            )
            .route(
                "/hops/{n}",
                get(|State(h): State<Hits>, Path(n): Path<u32>| async move {
                    hit(&h, "/hops");
                    if n == 0 {
                        "arrived".into_response()
                    } else {
                        found(&format!("/hops/{}", n - 1))
                    }
                }),
            )
            .route(
                "/loop",
                get(|State(h): State<Hits>| async move {
                    hit(&h, "/loop");
                    found("/loop")
                }),
            )
            .route(
                "/redirect",
                get(|State(h): State<Hits>, Query(q): Query<HashMap<String, String>>| async move {
                    hit(&h, "/redirect");
                    found(&q["to"])
                }),
            )
            .route(
                "/big",
                get(|State(h): State<Hits>| async move {
                    hit(&h, "/big");
                    "x".repeat(40 * 1024)
                }),
            )
            .route(
                "/stream",
                get(|State(h): State<Hits>| async move {
                    hit(&h, "/stream");
                    let chunks = (0..40).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'y'; 1024])));
                    Body::from_stream(futures::stream::iter(chunks))
                }),
            )
            .route(
                "/slow",
                get(|State(h): State<Hits>| async move {
                    hit(&h, "/slow");
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            )
            .with_state(hits.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same server under the name `localhost`.
    fn localhost_url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.addr.port())
    }

    fn hits(&self, key: &str) -> usize {
        self.hits.lock().unwrap().get(key).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.hits.lock().unwrap().values().sum()
    }
}

fn deps(allow_unrestricted: bool, limits: HttpLimits) -> Deps {
    Deps {
        http: HttpClients::new(&limits),
        http_limits: limits,
        allow_unrestricted_network_access: allow_unrestricted,
        ..Deps::default()
    }
}

/// Runs a one-task pipeline and returns its result.
async fn run(src: &str, deps: Deps) -> Result<Value, TaskError> {
    let p = Pipeline::parse(src).unwrap();
    let r = Runner::new(deps)
        .run(&p, RunContext { run_id: 1, vars: Vars::new(), ..RunContext::default() }, HashMap::new(), &NoopObserver)
        .await
        .unwrap();
    r.task_results[0].result().cloned().map_err(Clone::clone)
}

fn http_task(url: &str, extra: &str) -> String {
    format!(r#"f [type=http url="{url}" {extra}]"#)
}

fn denied(host: &str) -> TaskError {
    TaskError::NetworkAccessDenied { host: host.to_owned() }
}

#[tokio::test]
async fn guard_refuses_loopback_ip_literal() {
    let s = Server::start().await;
    let r = run(&http_task(&s.url("/ok"), ""), deps(false, HttpLimits::default())).await;
    assert_eq!(r, Err(denied("127.0.0.1")));
    // Other spellings of loopback: IPv4-mapped IPv6 and the URL parser's numeric IPv4 forms.
    let port = s.addr.port();
    for (url, host) in [
        (format!("http://[::ffff:127.0.0.1]:{port}/ok"), "[::ffff:7f00:1]"),
        (format!("http://[::1]:{port}/ok"), "[::1]"),
        (format!("http://2130706433:{port}/ok"), "127.0.0.1"),
        (format!("http://0x7f.1:{port}/ok"), "127.0.0.1"),
        (format!("http://0:{port}/ok"), "0.0.0.0"),
    ] {
        assert_eq!(run(&http_task(&url, ""), deps(false, HttpLimits::default())).await, Err(denied(host)), "{url}");
    }
    assert_eq!(s.total(), 0, "nothing reached the server");
}

#[tokio::test]
async fn guard_refuses_a_name_that_resolves_to_loopback_when_connecting() {
    let s = Server::start().await;
    // `localhost` passes the pre-request check (it is a name); the guarded resolver refuses it.
    let r = run(&http_task(&s.localhost_url("/ok"), ""), deps(false, HttpLimits::default())).await;
    assert_eq!(r, Err(denied("localhost")));
    assert_eq!(s.total(), 0);
}

#[tokio::test]
async fn node_setting_or_task_opt_in_reach_loopback() {
    let s = Server::start().await;
    for url in [s.url("/ok"), s.localhost_url("/ok")] {
        let r = run(&http_task(&url, "allowUnrestrictedNetworkAccess=true"), deps(false, HttpLimits::default())).await;
        assert_eq!(r, Ok(Value::from("ok")), "task opt-in, {url}");
        let r = run(&http_task(&url, ""), deps(true, HttpLimits::default())).await;
        assert_eq!(r, Ok(Value::from("ok")), "node setting, {url}");
        // An explicit `false` on the task does not override the node's permission.
        let r = run(&http_task(&url, "allowUnrestrictedNetworkAccess=false"), deps(true, HttpLimits::default())).await;
        assert_eq!(r, Ok(Value::from("ok")), "node setting, task false, {url}");
    }
    assert_eq!(s.hits("/ok"), 6);
}

/// The first hop is an IP literal sent with the guarded client directly (as if it were public);
/// the redirect to a restricted IP literal is refused by the client's redirect policy.
#[tokio::test]
async fn guarded_client_refuses_redirect_to_restricted_ip_literal() {
    let s = Server::start().await;
    let clients = HttpClients::new(&HttpLimits::default());
    let target = s.url("/ok");
    let start = format!("{}?to={target}", s.url("/redirect"));
    let err = clients.guarded.get(&start).send().await.unwrap_err();
    assert_eq!(find::<NetworkDenied>(&err), Some(NetworkDenied { host: "127.0.0.1".into() }), "{err:?}");
    assert_eq!((s.hits("/redirect"), s.hits("/ok")), (1, 0));
    // The unrestricted client follows it.
    let body = clients.unrestricted.get(&start).send().await.unwrap().text().await.unwrap();
    assert_eq!(body, "ok");
    assert_eq!(s.hits("/ok"), 1);
}

/// Same, with a named redirect target: the guarded resolver refuses it when connecting.
#[tokio::test]
async fn guarded_client_refuses_redirect_to_name_resolving_to_loopback() {
    let s = Server::start().await;
    let clients = HttpClients::new(&HttpLimits::default());
    let start = format!("{}?to={}", s.url("/redirect"), s.localhost_url("/ok"));
    let err = clients.guarded.get(&start).send().await.unwrap_err();
    assert_eq!(find::<NetworkDenied>(&err), Some(NetworkDenied { host: "localhost".into() }), "{err:?}");
    assert_eq!((s.hits("/redirect"), s.hits("/ok")), (1, 0));
}

#[tokio::test]
async fn guarded_resolver_drops_restricted_answers() {
    let err = GuardedResolver.resolve("localhost".parse().unwrap()).await.err().expect("localhost is refused");
    assert_eq!(err.downcast_ref::<NetworkDenied>(), Some(&NetworkDenied { host: "localhost".into() }));
}

#[tokio::test]
async fn redirect_limit_is_enforced_with_a_clear_error() {
    let s = Server::start().await;
    let limits = HttpLimits { max_redirects: 10, ..HttpLimits::default() };
    // Exactly the limit is fine.
    let r = run(&http_task(&s.url("/hops/10"), ""), deps(true, limits)).await;
    assert_eq!(r, Ok(Value::from("arrived")));
    assert_eq!(s.hits("/hops"), 11);
    // One more is not.
    let r = run(&http_task(&s.url("/hops/11"), ""), deps(true, limits)).await;
    let Err(TaskError::Http { message }) = r else { panic!("{r:?}") };
    assert!(message.starts_with("too many redirects (more than 10)"), "{message}");
    // A loop stops after the original request and 10 redirects.
    let r = run(&http_task(&s.url("/loop"), ""), deps(true, limits)).await;
    let Err(TaskError::Http { message }) = r else { panic!("{r:?}") };
    assert!(message.contains("too many redirects"), "{message}");
    assert_eq!(s.hits("/loop"), 11);
    // The limit comes from HttpLimits.
    let r = run(&http_task(&s.url("/hops/3"), ""), deps(true, HttpLimits { max_redirects: 2, ..limits })).await;
    assert!(matches!(r, Err(TaskError::Http { ref message }) if message.contains("more than 2")), "{r:?}");
}

#[tokio::test]
async fn body_limit_applies_with_and_without_content_length() {
    let s = Server::start().await;
    let limits = HttpLimits { max_body_bytes: 32 * 1024, ..HttpLimits::default() };
    for path in ["/big", "/stream"] {
        let r = run(&http_task(&s.url(path), ""), deps(true, limits)).await;
        assert_eq!(r, Err(TaskError::ResponseTooLarge { limit: 32 * 1024 }), "{path}");
    }
    let roomy = HttpLimits { max_body_bytes: 40 * 1024, ..limits };
    let r = run(&http_task(&s.url("/stream"), ""), deps(true, roomy)).await;
    assert_eq!(r.map(|v| v.as_string().unwrap().len()), Ok(40 * 1024));
}

#[tokio::test]
async fn request_timeout_is_a_timeout_error() {
    let s = Server::start().await;
    let limits = HttpLimits { request_timeout: Duration::from_millis(200), ..HttpLimits::default() };
    let r = run(&http_task(&s.url("/slow"), ""), deps(true, limits)).await;
    assert_eq!(r, Err(TaskError::Timeout { after_ms: 200 }));
    assert_eq!(s.hits("/slow"), 1);
}

#[test]
fn redirect_decisions() {
    let u = |s: &str| Url::parse(s).unwrap();
    let chain = |n: usize| vec![u("https://example.com/"); n];
    let public = u("https://example.com/next");
    // `previous` holds the original request plus the redirects followed so far.
    assert_eq!(redirect_check(&public, &chain(10), 10, true), Ok(()));
    assert_eq!(
        redirect_check(&public, &chain(11), 10, true),
        Err(RedirectRefused::TooMany(TooManyRedirects { max: 10 }))
    );
    for target in ["http://127.0.0.1/", "http://[::1]:8080/", "http://169.254.169.254/latest", "http://10.0.0.1/"] {
        let t = u(target);
        assert!(matches!(redirect_check(&t, &chain(1), 10, true), Err(RedirectRefused::Denied(_))), "{target}");
        assert_eq!(redirect_check(&t, &chain(1), 10, false), Ok(()), "{target}");
    }
    // Names pass here: the resolver checks them when connecting.
    assert_eq!(redirect_check(&u("http://localhost/"), &chain(1), 10, true), Ok(()));
    assert_eq!(redirect_check(&u("http://8.8.8.8/"), &chain(1), 10, true), Ok(()));
}

#[test]
fn resolver_filtering() {
    let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
    // A rebinding-style answer mixing public and private addresses keeps only the public ones.
    let mixed = [a("127.0.0.1:0"), a("93.184.216.34:0"), a("[::1]:0"), a("[2606:4700::1111]:0"), a("10.0.0.7:0")];
    assert_eq!(filter_resolved("x.test", mixed).unwrap(), vec![a("93.184.216.34:0"), a("[2606:4700::1111]:0")]);
    assert_eq!(
        filter_resolved("x.test", [a("192.168.1.1:0"), a("[fe80::1]:0")]),
        Err(NetworkDenied { host: "x.test".into() })
    );
    assert_eq!(filter_resolved("none.test", []), Err(NetworkDenied { host: "none.test".into() }));
}

#[test]
fn url_checks_only_ip_literals() {
    let u = |s: &str| Url::parse(s).unwrap();
    assert_eq!(check_url(&u("http://127.0.0.1:1/")), Err(NetworkDenied { host: "127.0.0.1".into() }));
    assert_eq!(check_url(&u("http://[fd00::1]/")), Err(NetworkDenied { host: "[fd00::1]".into() }));
    assert!(check_url(&u("http://localhost/")).is_ok());
    assert!(check_url(&u("https://1.1.1.1/")).is_ok());
    assert!(is_restricted("100.100.100.100".parse().unwrap()));
}

/// The first `E` in an error's source chain.
fn find<E: std::error::Error + Clone + 'static>(err: &(dyn std::error::Error + 'static)) -> Option<E> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found.clone());
        }
        cur = e.source();
    }
    None
}
