//! Where outbound requests may go: public addresses, and loopback (which the contract allows
//! for `http` development and test endpoints). Private, link-local, shared (CGNAT),
//! unspecified, multicast, benchmarking and documentation ranges are refused — whether a URL
//! names them literally or DNS answers with them — so a registered URL cannot make sigil
//! reach into the network it runs in.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether an outbound request may go to `ip`.
pub fn is_allowed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_allowed(v4),
            None => v6_allowed(v6),
        },
    }
}

fn v4_allowed(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        return true;
    }
    !(ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn v6_allowed(ip: Ipv6Addr) -> bool {
    if ip.is_loopback() {
        return true;
    }
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8)
}

/// A resolver that drops refused addresses from DNS answers, and fails when none is left.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_allowed(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no address sigil may reach").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_loopback_addresses_are_allowed_and_internal_ones_refused() {
        for ok in [
            "127.0.0.1",
            "::1",
            "93.184.216.34",
            "2606:4700::1",
            "8.8.8.8",
        ] {
            assert!(is_allowed(ok.parse().unwrap()), "{ok}");
        }
        for refused in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_allowed(refused.parse().unwrap()), "{refused}");
        }
    }

    #[tokio::test]
    async fn the_resolver_keeps_loopback_answers() {
        let addrs: Vec<SocketAddr> = PublicOnly
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
