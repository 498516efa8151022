vcl 4.1;
# Varnish in front of Kollektif's gunicorn (docs/deploy.md, "Cache en frontal"). Tested by
# bench/bench_edge_cache.py, which copies this file with its own backend port.
#
# Django decides what may be shared: only answers marked `Cache-Control: public, s-maxage=…`
# (anonymous public pages, kernel/page_cache.py; the progress feed, 5 s) are kept, for s-maxage,
# and served stale for stale-while-revalidate while Varnish fetches a fresh copy. Publishing, a
# privacy change or a record change sends PURGE requests (Wagtail's frontend_cache, HTTP backend,
# KOLLEKTIF_PURGE_URL=http://127.0.0.1:6081).

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the application's own machines (gunicorn and the task worker send PURGE).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # Wagtail purges each page's path; its ?page=2… variants go with it (a ban on the path
        # followed by a query string or nothing). Slugs hold no regex characters but the dot.
        ban("obj.http.x-host == " + req.http.host + " && obj.http.x-url ~ ^" + regsub(req.url, "\?.*$", "") + "(\?|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A signed-in editor, a donor in the middle of a form: always the application (the page they
    # get is theirs). Django answers them `private` anyway; this keeps them off the cache entirely.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);
    }
    # Any other cookie (a statistics tool's) does not change the page: one copy for everyone,
    # which the `Vary: Cookie` of the page then matches (no Cookie header at all).
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # kept on the object for the bans above (lurker-friendly: no req.* in the ban expression)
    set beresp.http.x-url = bereq.url;
    set beresp.http.x-host = bereq.http.host;
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        # private, no-cache, a cookie set, or no policy: never stored, never shared
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Varnish reads s-maxage (the TTL) and stale-while-revalidate (the grace) itself.
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.x-url;
    unset resp.http.x-host;
}
