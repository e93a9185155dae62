"""The CI job's own credentials (the runner's, and Google's, AWS's and Azure's as CI steps
export them), which a probe's `${VAR}` never sends.

A probe sends what its profile names to the host of a service in the project its profile
names (`drift.probe.live`): a profile edited in a pull request could otherwise send the job's
credentials to a service its author owns. SPEC reads `${VAR}` "from the runner's environment"
for test credentials a step maps in (`STAGING_TEST_JWT`); these names are not that:

- `ACTIONS_*`: the GitHub runner's own. `ACTIONS_ID_TOKEN_REQUEST_TOKEN` and `_URL` (set in
  every step of a job with `permissions: id-token: write`; with both, anyone mints the
  repository's OIDC token: docs.github.com "Configuring OpenID Connect in cloud providers"),
  `ACTIONS_RUNTIME_TOKEN` / `_URL`, `ACTIONS_CACHE_URL`, `ACTIONS_RESULTS_URL` (the runner's
  ScriptHandler/NodeScriptActionHandler, actions/runner).
- `GITHUB_TOKEN`, `GH_TOKEN`, `GH_ENTERPRISE_TOKEN`, `GITHUB_ENTERPRISE_TOKEN`: the job's
  GitHub token as workflows and the `gh` CLI pass it. (`RUNNER_*`: `RUNNER_TEMP`, `RUNNER_OS`,
  … carry no credential: GitHub's "Variables reference", default environment variables.)
- Google's: `GOOGLE_APPLICATION_CREDENTIALS` and `GOOGLE_GHA_CREDS_PATH` (google-github-actions/
  auth: a credentials file's path — its name tells where the key is), `CLOUDSDK_AUTH_*`
  (`CLOUDSDK_AUTH_ACCESS_TOKEN`, `_ACCESS_TOKEN_FILE`, `_CREDENTIAL_FILE_OVERRIDE`),
  `GOOGLE_OAUTH_ACCESS_TOKEN`, `GOOGLE_CREDENTIALS`, `GOOGLE_CLOUD_KEYFILE_JSON` (terraform's
  google provider).
- AWS's (a multi-cloud deploy job: aws-actions/configure-aws-credentials exports the first
  three into the env of every later step): `AWS_ACCESS_KEY_ID` (half of the key pair, sent
  with nothing else by no test), `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (AWS SDKs and
  Tools Reference Guide, "Use credentials from environment variables"), `AWS_SECURITY_TOKEN`
  (the session token's older name, still read by boto and terraform's aws provider),
  `AWS_CONTAINER_AUTHORIZATION_TOKEN` (the container credential provider's).
- Azure's: `AZURE_CLIENT_SECRET`, `AZURE_CLIENT_CERTIFICATE_PASSWORD`, `AZURE_PASSWORD`
  (azure-identity's EnvironmentCredential, learn.microsoft.com), and terraform's azurerm
  provider and backend (registry.terraform.io hashicorp/azurerm, "Authenticating using a
  Service Principal" / OIDC; the azurerm backend): `ARM_CLIENT_SECRET`, `ARM_CLIENT_CERTIFICATE`,
  `ARM_CLIENT_CERTIFICATE_PASSWORD`, `ARM_OIDC_TOKEN`, `ARM_OIDC_REQUEST_TOKEN`,
  `ARM_ACCESS_KEY`, `ARM_SAS_TOKEN`.

Not covered: any other variable a step maps in (a deploy key, `VAULT_TOKEN`, a registry
password). A probe sends those if a profile names them; the profile is the gate's
configuration, reviewed as such (README, "Never run drift with cloud credentials on untrusted
pull-request content")."""

from __future__ import annotations

_PREFIXES = ("ACTIONS_", "CLOUDSDK_AUTH_")
_NAMES = frozenset(
    {
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_GHA_CREDS_PATH",
        "GOOGLE_OAUTH_ACCESS_TOKEN",
        "GOOGLE_CREDENTIALS",
        "GOOGLE_CLOUD_KEYFILE_JSON",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "AZURE_PASSWORD",
        "ARM_CLIENT_SECRET",
        "ARM_CLIENT_CERTIFICATE",
        "ARM_CLIENT_CERTIFICATE_PASSWORD",
        "ARM_OIDC_TOKEN",
        "ARM_OIDC_REQUEST_TOKEN",
        "ARM_ACCESS_KEY",
        "ARM_SAS_TOKEN",
    }
)


def runner_credential(name: str) -> bool:
    """`name` is one of the job's own credentials listed above (case-insensitive: Windows
    environment names are)."""
    upper = name.upper()
    return upper in _NAMES or upper.startswith(_PREFIXES)


def refusal(name: str) -> str:
    """Why `${name}` is refused, and what to do instead (no value: there is none to show)."""
    return (
        f"${{{name}}} is the CI job's own credential (the runner's, Google's, AWS's or Azure's), "
        "which a probe never sends "
        "(a profile names the host it goes to); map the test credential the service expects "
        "into the step's env: under its own name and use that"
    )
