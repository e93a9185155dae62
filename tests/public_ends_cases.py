"""Payloads for the split-secret rule (`drift.public_ends`): secrets whose public start or end
is shown, copied and journalled as text (helper-746 F1), and helper-757's payloads (F1-F3 and
its sweep, rebuilt from its report), whose every start and end stays a piece."""

from __future__ import annotations

import json

HOOK = "https://hooks.slack.com/services/T0A1B2C3/B4D5E6F7/Xk9mQ2pL7vR4tY8wZ3nB6cJ1"
GHP = "ghp_R7kQ2mX9pL4vT8wZ3nB6cJ1yH5dF0sG7u"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dQw4w9WgXcQ7kR2mX9pL4vT8wZ3nB6cJ1yH5dF0s"
BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"


def pem(label: str, *lines: str) -> str:
    return (
        f"-----BEGIN {label}-----\n" + "".join(f"{x}\n" for x in lines) + f"-----END {label}-----\n"
    )


PEM = pem("PRIVATE KEY", BODY, "Qk9mX2pL7w==")  # a short last line (helper-757 F3)
SA = json.dumps(
    {
        "type": "service_account",
        "project_id": "acme",
        "private_key_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "private_key": PEM,
        "client_email": "api@acme.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
        "universe_domain": "googleapis.com",
    },
    indent=2,
)
TLS = pem("CERTIFICATE", BODY[::-1], "Zm9vYmFy") + pem("EC PRIVATE KEY", BODY, "Kx==")
PUBLIC_SECRETS = {
    "dsn": "postgres://db.internal:5432/app?user=app&password=Xk9pQ2vLmN&sslmode=require",
    "pem": PEM,
    "tls": TLS,
    "sa": SA,
}
PUBLIC = {
    "DB_BASE": "postgres://db.internal:5432",
    "DB_ROOT": "postgres://db.internal:5432/",
    "CERT_HEAD": "-----BEGIN CERTIFICATE-----",
    "KEY_HEAD": "-----BEGIN PRIVATE KEY-----",  # armour: no byte of the key (helper-769)
    "PEM_TAIL": "-----END PRIVATE KEY-----",
    "SA_HEAD": '{\n  "type": "service_account",',
    "SA_TAIL": '"universe_domain": "googleapis.com"\n}',
}
"""Plain values each all public in its payload's form (`PUBLIC_SECRETS`): shown and kept."""
NAMED_HOSTS = (  # a managed database's, a Cloud Run service's: public hosts (`token_label`)
    "mydb.c9akciq32x.us-east-1.rds.amazonaws.com",
    "10.12.0.3",
    "abc-123.a.run.app",
    "api-abcdefghij-uc.a.run.app",
    "hello-123456789012.us-central1.run.app",
    "cluster0.ab1cd.mongodb.net",
    "us1-able-fox-12345.upstash.io",
    "ep-cool-darkness-123456.us-east-2.aws.neon.tech",
    "[2001:db8::1]",
)
TOKEN_HOSTS = (  # a token's: masked, on the safe side for the last two
    f"ghp-{GHP[4:]}.example.com",
    "eo7kq2mzv4bwx9tr.m.pipedream.net",
    "123e4567-e89b-12d3-a456-426614174000.example.com",
    "QkmZpLwRtYxVbNcA.example.com",
    "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws",
    "mydb.cg034hpkmmjt.us-east-1.rds.amazonaws.com",
    "d111111abcdef8.cloudfront.net",
)

LEAKS = {  # helper-757's payloads: none of their starts or ends is public
    "gh_user": "https://3f8a9c0d1e2b4a5f6c7d8e9f0a1b2c3d4e5f6a7b:x-oauth-basic@github.com/acme/app.git",
    "ghp_user": f"https://{GHP}:x-oauth-basic@github.com/acme/app.git",
    "hook_path": "https://svc:Tq7wZp3Rk1@hooks.example.com/services/T0A1B2C3/B4D5E6F7/Xk9mQ2pL7vR4",
    "sas": "https://acct:Pw8xZ2qLm4@acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=Zx8Kq2LmN4pQ7%3D",
    "key_query": "https://app:Rk2mX9qL7p@maps.googleapis.com/maps/api?key=AIzaSyD4kQ2mX9pL7vT8wZ3n",
    "token_query": "https://u:Pw8xZ2qLm4@api.example.com/v1?token=Tk9mQ2pL7vR4tY8w",
    "json_value": '{"api_key": "k9Qm2Lx7Pz4R", "value": "s3cr3t-Rk2mX9qL7pW4zT8vB1nC"}',
    "json_conn": '{"token": "Tk8mQ2xL9pZ4", "connection": "Server=db;Password=Pq8Lm2Xz7Kw;"}',
    "json_dsn": '{"password": "Pw4kQ9mZ2xL7", "dsn": "https://9f8e7d6c5b4a3928@o1.ingest.sentry.io/42"}',
    "json_hook": json.dumps({"api_key": "k9Qm2Lx7Pz4R", "slack_webhook": HOOK}),
    "json_jwt": json.dumps({"client_secret": "Cs7kQ2mX9pL4", "refresh": JWT}),
    "json_db": json.dumps({"database": {"url": "postgres://app:Pw8xZ2qLm4@db.internal:5432/app"}}),
    "json_plain": '{"env": "production-2024", "url": "https://api.example.com", "hint": "Zk8mQ2"}',
    "sa_type_then_secret": '{"type": "service_account", "type": "Zk8mQ2xL9pR4tY7w"}',
    "dotenv": f"DB_PASSWORD=Dp9kQ2mX7zL4\nGITHUB_PAT={GHP}\nSLACK_WEBHOOK_URL={HOOK}\n",
    "dotenv_hash": "PRIMARY_DB=postgres://app:Xy7#kP2qLm9@db.internal:5432/app\nREDIS_PASSWORD=sPw9xQ2\n",
    "yaml": f"password: Yp8kQ2mX7zL4\nwebhook: {HOOK}\n",
    "url_hash": "postgres://app:Xy7#kP2qLm9@db.internal:5432/app",
    "jwt": JWT,
    "token": "sK9-quartz/fjord+vexing-bawdy-42",
    "pem": PEM,  # F3: its BEGIN and END lines are public, nothing else
    "pem_chain_key": pem("CERTIFICATE", BODY[::-1], "Zm9vYmFy")
    + pem("EC PRIVATE KEY", BODY, "Kx=="),
    "pem_odd_label": pem("ZK8MQ2XL9PR4TY7W", BODY),  # a label of no PEM tool: all a piece
    "sas_no_userinfo": "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=Zx8Kq2LmN4pQ7%3D",
    "hook_no_userinfo": HOOK,
    "query_at": "https://api.example.com?u=Tk9mQ2pL7vR4@x/y",
    # helper-769 M1: the host is the credential, and 8 characters or more follow it
    "ghp_host": f"https://ghp-{GHP[4:]}.example.com/hooks/abc",
    "capability_host": "https://eo7kq2mzv4bwx9tr.m.pipedream.net/webhook/v1",
    "uuid_host": "https://123e4567-e89b-12d3-a456-426614174000.hooks.example.com/v1/events",
    # helper-769 LOW: a token before `://` is no scheme; none of it is counted past
    "token_scheme": "NwmZ7zqfXF8QbggxZtPW6://svc.example.com/v1/hook",
}
SHOWN = {  # of LEAKS, the starts and ends that are public
    "pem": {"-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"},
    "pem_chain_key": {"-----BEGIN CERTIFICATE-----", "-----END EC PRIVATE KEY-----"},
    "sas_no_userinfo": {
        "https://acct.blob.core.windows.net",
        "https://acct.blob.core.windows.net/",
    },
    "hook_no_userinfo": {"https://hooks.slack.com", "https://hooks.slack.com/"},
    "sa_type_then_secret": {'{"type": "service_account"', '{"type": "service_account",'},
}
SPLITS = {  # helper-757's CLI splits, each at a natural boundary (`:`, `@`, a line, a `,`)
    "GH": (LEAKS["gh_user"], LEAKS["gh_user"].index(":x-")),
    "GHU": (LEAKS["ghp_user"], LEAKS["ghp_user"].index("@")),  # the token and the password
    "HOOK": (LEAKS["hook_path"], LEAKS["hook_path"].index("@")),
    "ENV": (LEAKS["dotenv"], LEAKS["dotenv"].index("GITHUB")),
    "JS": (LEAKS["json_hook"], LEAKS["json_hook"].index(",") + 1),
    "JWT": (LEAKS["json_jwt"], LEAKS["json_jwt"].index(",") + 1),
    "PEM": (PEM, PEM.index("Qk9m")),
    "CAP": (LEAKS["capability_host"], LEAKS["capability_host"].index("/webhook")),  # M1
    "GHH": (LEAKS["ghp_host"], LEAKS["ghp_host"].index("/hooks")),
    "TOK": (LEAKS["token_scheme"], 16),  # 16 characters of the token (helper-769 LOW)
}
THIRDS = ("ENV", "PEM", "JS", "HOOK")
"""Of `SPLITS`' payloads, those pasted as three plain variables too (`MIDDLES`)."""
MIDDLES = {
    f"{name}_M": p[len(p) // 3 : 2 * len(p) // 3]
    for name, (p, _) in SPLITS.items()
    if name in THIRDS
}
"""The middles of a secret pasted as three plain variables (helper-769: shown in every output
and journalled as text; `drift.secret_middles`)."""
HALVES = {
    f"{name}_{end}": half
    for name, (p, i) in SPLITS.items()
    for end, half in (("A", p[:i]), ("B", p[i:]))
} | MIDDLES
"""Plain variables that are helper-757's halves, and the middles of a payload split in three:
masked, not copied, withheld from the journal."""
