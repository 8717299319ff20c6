//! The network guard of `http` tasks (Chainlink's `allowUnrestrictedNetworkAccess`).
//!
//! Job specs come from outside and URLs may be built from request parameters, so by default an
//! `http` task must not reach the node's own network (loopback, private ranges, cloud metadata at
//! link-local addresses, ...). Checking a name before the request is not enough: DNS can answer a
//! public address to the check and a private one to the connection (DNS rebinding). The guard
//! therefore sits where the connection is made:
//!
//! - the guarded client resolves names with [`GuardedResolver`], which drops restricted
//!   addresses ([`filter_resolved`]) and fails when none remain, so the connection can only go to
//!   an address that passed the check;
//! - IP-literal hosts never reach a resolver, so they are checked before the request
//!   ([`check_url`]) and on every redirect ([`redirect_check`]);
//! - redirects are limited ([`HttpLimits::max_redirects`]);
//! - the guarded client ignores proxy settings: through a proxy the resolver would only see the
//!   proxy's name, not the target's.
//!
//! [`HttpClients`] holds the guarded client and an unrestricted one; the task picks the
//! unrestricted client only when the node or the task allows it.

use std::{
    error::Error as StdError,
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::{
    dns::{Addrs, Name, Resolve, Resolving},
    redirect, Url,
};

use crate::runner::HttpLimits;

/// True for addresses a guarded request must not reach: loopback, unspecified (`0.0.0.0/8`,
/// `::`), private (RFC 1918), link-local (`169.254/16`, `fe80::/10`), carrier-grade NAT
/// (`100.64/10`), broadcast, IPv6 unique-local (`fc00::/7`) and site-local (`fec0::/10`), and
/// IPv6 forms that embed such an IPv4 address (v4-mapped, v4-compatible, NAT64 `64:ff9b::/96`,
/// 6to4 `2002::/16`).
pub fn is_restricted(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_restricted_v4(v4),
        IpAddr::V6(v6) => is_restricted_v6(v6),
    }
}

fn is_restricted_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_broadcast()
        // 0.0.0.0/8: Linux connects 0.0.0.0 to the local host.
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT.
        || (a == 100 && (b & 0xc0) == 64)
}

fn is_restricted_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    if v6.is_loopback() || v6.is_unspecified() {
        return true;
    }
    // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local (deprecated, still routed).
    if (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xffc0) == 0xfec0 {
        return true;
    }
    let low_v4 = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64).
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let compatible = s[..6] == [0; 6];
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if mapped || compatible || nat64 {
        return is_restricted_v4(low_v4());
    }
    // 2002:AABB:CCDD::/48, 6to4 with the IPv4 address in segments 1 and 2.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return is_restricted_v4(v4);
    }
    false
}

/// A guarded request was refused: `host` is (or resolves only to) restricted addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("access to {host} is not allowed (restricted network address)")]
pub struct NetworkDenied {
    /// The host as written in the URL (or the redirect target).
    pub host: String,
}

/// A redirect chain was longer than the configured limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("too many redirects (more than {max})")]
pub struct TooManyRedirects {
    /// The limit.
    pub max: usize,
}

/// Keeps the resolved addresses of `host` that a guarded request may reach; fails if none remain
/// (including when the name resolved to nothing).
pub fn filter_resolved(
    host: &str,
    addrs: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, NetworkDenied> {
    let allowed: Vec<SocketAddr> = addrs.into_iter().filter(|a| !is_restricted(a.ip())).collect();
    if allowed.is_empty() {
        Err(NetworkDenied { host: host.to_owned() })
    } else {
        Ok(allowed)
    }
}

/// Checks a URL whose host is an IP literal (those bypass the resolver). Names pass: the
/// [`GuardedResolver`] checks them when connecting.
pub fn check_url(url: &Url) -> Result<(), NetworkDenied> {
    let Some(host) = url.host_str() else { return Ok(()) };
    // The URL parser normalises IPv4 forms (`0x7f.1`, `2130706433`) to dotted quads and keeps
    // IPv6 in brackets, so whatever parses here is exactly what the connector will dial.
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) if is_restricted(ip) => Err(NetworkDenied { host: host.to_owned() }),
        _ => Ok(()),
    }
}

/// Why a redirect is not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectRefused {
    /// The chain is too long.
    #[error(transparent)]
    TooMany(#[from] TooManyRedirects),
    /// The target is a restricted IP literal and the client is guarded.
    #[error(transparent)]
    Denied(#[from] NetworkDenied),
}

/// The redirect decision of the clients: `next` is the redirect target, `previous` the URLs
/// requested so far in the chain (the first is the original request, so `previous.len() - 1`
/// redirects were followed already). More than `max` redirects fail, and a guarded client refuses
/// a restricted IP-literal target (a named target is checked by the resolver on connect).
pub fn redirect_check(next: &Url, previous: &[Url], max: usize, guarded: bool) -> Result<(), RedirectRefused> {
    if previous.len() > max {
        return Err(TooManyRedirects { max }.into());
    }
    if guarded {
        check_url(next)?;
    }
    Ok(())
}

fn redirect_policy(max: usize, guarded: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| match redirect_check(attempt.url(), attempt.previous(), max, guarded) {
        Ok(()) => attempt.follow(),
        Err(RedirectRefused::TooMany(e)) => attempt.error(e),
        Err(RedirectRefused::Denied(e)) => attempt.error(e),
    })
}

/// A DNS resolver (the system's, through tokio) that only returns addresses a guarded request may
/// reach, and fails with [`NetworkDenied`] when none remain. Because the connection uses exactly
/// these addresses, a second DNS answer cannot smuggle a private address in.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest substitutes the URL's port.
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed = filter_resolved(&host, resolved)?;
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The two HTTP clients of `http` tasks, built once and shared (clones are cheap).
#[derive(Clone)]
pub struct HttpClients {
    /// Only reaches public addresses: [`GuardedResolver`], IP-literal redirect check, no proxy.
    pub guarded: reqwest::Client,
    /// Reaches anything (used when the node or the task allows unrestricted access, and by
    /// bridges, whose URLs the node operator configures).
    pub unrestricted: reqwest::Client,
}

impl HttpClients {
    /// Builds both clients with the redirect limit of `limits` (timeouts and body limits are
    /// applied per request by the task).
    pub fn try_new(limits: &HttpLimits) -> Result<Self, reqwest::Error> {
        let guarded = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver))
            .redirect(redirect_policy(limits.max_redirects, true))
            .no_proxy()
            .build()?;
        let unrestricted = reqwest::Client::builder().redirect(redirect_policy(limits.max_redirects, false)).build()?;
        Ok(Self { guarded, unrestricted })
    }

    /// Like [`HttpClients::try_new`].
    ///
    /// # Panics
    ///
    /// If the TLS backend cannot be initialised, as `reqwest::Client::new` does.
    pub fn new(limits: &HttpLimits) -> Self {
        Self::try_new(limits).expect("HTTP clients (TLS backend) initialise")
    }

    /// The unrestricted client if `unrestricted`, else the guarded one.
    pub fn pick(&self, unrestricted: bool) -> &reqwest::Client {
        if unrestricted {
            &self.unrestricted
        } else {
            &self.guarded
        }
    }
}

impl Default for HttpClients {
    fn default() -> Self {
        Self::new(&HttpLimits::default())
    }
}

impl fmt::Debug for HttpClients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClients").finish_non_exhaustive()
    }
}

/// The first error of type `E` in `err`'s source chain (reqwest wraps resolver and redirect
/// errors several layers deep).
pub(crate) fn find_cause<'a, E: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        cur = e.source();
    }
    None
}

/// `err` followed by its sources, `: `-separated (reqwest's own message omits the cause).
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_ranges() {
        for ip in [
            "127.0.0.1",
            "127.255.255.254",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "255.255.255.255",
            "::",
            "::1",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:0001::1",
        ] {
            assert!(is_restricted(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(!is_restricted(ip.parse().unwrap()), "{ip}");
        }
    }
}
