"""What the site keeps to spot abuse, and the organizer's blocklists."""

import ipaddress

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max, Min, Q, Value
from django.db.models.functions import Lower, StrIndex, Substr
from django.utils.crypto import salted_hmac

from petitions.models import BlockedEmailDomain, BlockedNetwork, Signature

BLOCKLISTS_KEY = "abuse:blocklists"


def keyed_hash(value: str) -> str:
    """An HMAC keyed with the server's secret: equal addresses give equal hashes, but the
    address cannot be recovered from it, nor guessed without the key."""
    return salted_hmac("petitions.abuse.address", value, algorithm="sha256").hexdigest()[:32]


def network_of(ip: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address belongs to: what one household, office or
    small provider usually holds."""
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def address_hashes(ip: str) -> tuple[str, str]:
    try:
        return keyed_hash(ip), keyed_hash(network_of(ip))
    except ValueError:
        return "", ""


def blocklists() -> tuple[set[str], list]:
    """The blocked domains and networks, read at most every few seconds per process."""
    cache = caches["pages"]
    cached = cache.get(BLOCKLISTS_KEY)
    if cached is None:
        domains = set(BlockedEmailDomain.objects.values_list("domain", flat=True))
        networks = [
            ipaddress.ip_network(n)
            for n in BlockedNetwork.objects.values_list("network", flat=True)
        ]
        cached = (domains, networks)
        cache.set(BLOCKLISTS_KEY, cached, settings.BLOCKLIST_CACHE_SECONDS)
    return cached


def forget_blocklists() -> None:
    caches["pages"].delete(BLOCKLISTS_KEY)


def review_reason(*, email: str, ip: str) -> str:
    """Why a new signature must wait for a moderator, or "" if it need not."""
    domains, networks = blocklists()
    domain = email.rpartition("@")[2].lower()
    parts = domain.split(".")
    for i in range(len(parts) - 1):  # the domain and every parent domain
        if ".".join(parts[i:]) in domains:
            return f"email domain {'.'.join(parts[i:])} is blocked"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    for network in networks:
        if address.version == network.version and address in network:
            return f"address range {network} is blocked"
    return ""


def bursts(*, since, threshold: int, limit: int = 50) -> dict[str, list[dict]]:
    """Groups of at least `threshold` signatures made since `since` from one network or with
    one email domain, largest first: what a moderator should look at."""
    recent = Signature.objects.filter(created_at__gte=since)
    summary = {
        "n": Count("id"),
        "confirmed": Count("id", filter=Q(status=Signature.Status.CONFIRMED)),
        "first": Min("created_at"),
        "last": Max("created_at"),
    }
    by_network = (
        recent.exclude(network_hash="")
        .values("network_hash")
        .annotate(**summary)
        .filter(n__gte=threshold)
        .order_by("-n")[:limit]
    )
    domain = Lower(Substr("email", StrIndex("email", Value("@")) + 1))
    by_domain = (
        recent.annotate(domain=domain)
        .values("domain")
        .annotate(**summary)
        .filter(n__gte=threshold)
        .order_by("-n")[:limit]
    )
    return {"networks": list(by_network), "domains": list(by_domain)}
