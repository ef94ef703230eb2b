"""Secrets inside structured environment values (review3 s11 #4), cdk-nag style: the one classifier
(`policies.secret_values.secret_reason`) on JSON documents, `key=value` lists and free text, then both rules that
use it, `lambda-no-secrets-in-environment` and `container-no-secrets-in-environment`, on the review's repro
(APP_CONFIG and STRIPE JSON in a Lambda function) and the same values in an ECS container. Compliance cases are
the router's own JSON settings and limits, which must stay non-secret."""

from __future__ import annotations

import json
import time
from pathlib import Path

import botocore
import pytest

from policies import secret_values
from policies.rules import container_environment as ce
from policies.rules import lambda_functions as lf
from policies.secret_values import secret_reason
from tests.policies.rules.calls import run_resource
from tests.policies.rules.test_container_environment_table import env, found, run, task

#: The review's password (review4/envyaml).
PASSWORD = "Tr0ub4dor&3horse"
STRIPE_KEY = "sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
#: The review's repro (/work/notes/s11/review3/envjson): a password and a live Stripe key inside JSON settings.
APP_CONFIG = json.dumps({"db": {"user": "app", "password": "Tr0ub4dor&3-horse-staple"}})
STRIPE = json.dumps({"api_key": STRIPE_KEY})
NAME = "a secret-sounding name"
SHAPE = "an access-key, private-key or token shape"

BAD = [
    (1, "APP_CONFIG", APP_CONFIG, f"{NAME} at db.password"),
    (2, "STRIPE", STRIPE, f"{SHAPE} at api_key"),
    (3, "SETTINGS", json.dumps({"clientSecret": "not-so-random"}), f"{NAME} at clientSecret"),  # camelCase key
    (
        4,
        "SETTINGS",
        json.dumps({"services": [{"url": "https://a", "apiKey": "abc-def-ghi"}]}),
        f"{NAME} at services[0].apiKey",
    ),
    (
        5,
        "ENVS",
        json.dumps([{"name": "DB_PASSWORD", "value": "hunter2"}]),
        f"{NAME} at [0].DB_PASSWORD",
    ),  # ECS-style pairs
    (6, "PINS", json.dumps({"admin_password": 83920174}), f"{NAME} at admin_password"),  # a number read as text
    (7, "OUTER", json.dumps({"inner": json.dumps({"token": "abcdefgh"})}), f"{NAME} at inner.token"),  # JSON in JSON
    (8, "CLOUD", json.dumps({"aws": {"key": "AKIAIOSFODNN7EXAMPLE"}}), f"{SHAPE} at aws.key"),
    (
        9,
        "UPSTREAM",
        json.dumps({"dsn": "postgres://admin:pw@db:5432/app"}),
        "a URL with a password in it",
    ),  # searched in the whole value
    (10, "LITERAL", json.dumps(STRIPE_KEY), SHAPE),  # a JSON string literal
    (11, "PG", "host=db user=app password=hunter2x dbname=app", f"{NAME} at password"),  # libpq keyword/value
    (12, "CONN", "Server=db;Database=app;User Id=sa;Password=Tr0ub4dor&3;", f"{NAME} at Password"),  # ADO.NET
    (
        13,
        "OTEL_EXPORTER_OTLP_HEADERS",
        "x-honeycomb-team=aB3dE5gH7jK9mN1pQ2sT4vW6",
        "a high-entropy value at x-honeycomb-team",
    ),
    (14, "ARGS", f"--api-key {STRIPE_KEY}", SHAPE),  # a key shape in free text
    (15, "CMD", "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE", SHAPE),
    # review4 s11 #5 (/work/notes/s11/review4/envyaml, secret_probe.py): YAML, INI and `key:value` lists.
    (16, "APP_CONFIG", f"db:\n  host: db.internal\n  user: app\n  password: {PASSWORD}\n", f"{NAME} at db.password"),
    (17, "APP_CONFIG", f"{{db: {{password: {PASSWORD}}}}}", f"{NAME} at db.password"),  # YAML flow style
    (18, "LEGACY_INI", f"[db]\nuser = app\npassword = {PASSWORD}\n", f"{NAME} at db.password"),
    (19, "APP_CONFIG", f"user:app;password:{PASSWORD}", f"{NAME} at password"),
    (20, "APP_CONFIG", f"- name: db\n  secrets:\n    - token: {PASSWORD}\n", f"{NAME} at [0].secrets[0].token"),
    (
        21,
        "PROPS",
        f"# app.properties\ndb.url=jdbc:postgresql://db/app\ndb.password: {PASSWORD}\n",
        f"{NAME} at db.password",
    ),
    (22, "DOTENV", f'export API_TOKEN = "{PASSWORD}"\nexport REGION=us-east-1\n', f"{NAME} at API_TOKEN"),
    (23, "CONFIG", f"password: {PASSWORD}", f"{NAME} at password"),  # a one-line YAML mapping
    # review4 s11 #6: the name rules kept their recall (an acronym before a word is split; PASS as the head).
    (24, "SETTINGS", json.dumps({"DBPassword": "hunter2x"}), f"{NAME} at DBPassword"),
    (25, "SETTINGS", json.dumps({"dbPass": "hunter2x"}), f"{NAME} at dbPass"),
    (26, "SETTINGS", json.dumps({"JWTSecret": "not-so-random"}), f"{NAME} at JWTSecret"),
    (27, "SETTINGS", json.dumps({"authenticationType": "API_KEY", "apiKey": "da2-abcdefghij"}), f"{NAME} at apiKey"),
]
GOOD = [
    # the router's own settings (components/platform.py: model ids and prices as JSON, limits as numbers)
    (
        1,
        "MODEL_IDS",
        json.dumps({"micro": "amazon.nova-micro-v1:0", "lite": "amazon.nova-lite-v1:0", "pro": "amazon.nova-pro-v1:0"}),
    ),
    (2, "MODEL_PRICES", json.dumps({"micro": {"input": 0.000035, "output": 0.00014}})),
    (3, "MAX_OUTPUT_TOKENS", "1024"),
    (4, "TOKEN_BUDGET", "200000"),
    (5, "LIMITS", json.dumps({"maxTokens": 1024, "tokenBudget": 200000, "token_ttl": 3600})),
    (
        6,
        "REFS",
        json.dumps(
            {
                "dbPasswordArn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
                "api_key_parameter": "/app/api-key",
            }
        ),
    ),
    (7, "OTEL_RESOURCE_ATTRIBUTES", "service.name=router,deployment.environment=prod"),
    (8, "FLAGS", json.dumps({"enabled": True, "ratio": 0.5, "tags": ["a", "b"], "none": None})),
    (9, "MODEL_DIR", "/opt/sk-learn-models-v1-2024"),  # a vendor prefix in a path, not a token
    (10, "BROKEN", '{"password": '),  # not JSON: judged as text, and the name is no secret
    (11, "SEARCH_URL", "https://example.com/search?page=1&sort=asc"),
    (12, "ENVS", json.dumps([{"name": "DB_HOST", "value": "db.internal"}])),
    # review4 s11 #6 (/work/notes/s11/review4/envfalse, secret_probe2.py): a secret word in a key, a plain value.
    (
        13,
        "APP_CONFIG",
        json.dumps(
            {
                "issuer": "https://auth.example.com",
                "tokenEndpoint": "https://auth.example.com/oauth2/token",
                "authorizationType": "AWS_IAM",
                "passThrough": "WHEN_NO_MATCH",
                "secretRegion": "us-east-1",
            }
        ),
    ),
    (14, "APP_CONFIG", json.dumps({"tokenType": "Bearer", "credentialsProvider": "ecs"})),
    (15, "APP_CONFIG", json.dumps({"token_uri": "https://oauth2.googleapis.com/token"})),
    (16, "TOKEN_ENDPOINT", "https://auth.example.com/oauth2/token"),
    (17, "AUTHORIZATION_TYPE", "AWS_IAM"),
    (18, "APP_CONFIG", json.dumps({"passwordPolicy": "strict", "tokenTable": "tokens", "secretsExtensionPort": 2773})),
    (
        19,
        "SETTINGS",
        json.dumps({"token": True, "secret": "false", "password_required": "yes", "apiKeyRequired": False}),
    ),
    (20, "SETTINGS", json.dumps({"secret": "cn-north-1", "token": "eu-isoe-west-1", "credentials": "AWS_IAM"})),
    (21, "SETTINGS", json.dumps({"authorization": "Bearer", "token": "2.5"})),  # a scheme's name, a number
    (22, "PASS_THROUGH_BEHAVIOR", "never"),  # PASS is the verb here: API Gateway's passthroughBehavior
    (23, "APP_CONFIG", "db:\n  host: db.internal\n  port: 5432\n  passwordFile: /run/secrets/db\n"),  # YAML, no secret
    (24, "LEGACY_INI", "[db]\nuser = app\nhost = db.internal\n; password = set by the deployer\n"),  # a comment
]


@pytest.mark.parametrize(("case", "name", "value", "reason"), BAD, ids=[f"noncompliance{c}" for c, *_ in BAD])
def test_secrets_inside_structured_values(case: int, name: str, value: str, reason: str) -> None:
    assert secret_reason(name, value) == reason, case


@pytest.mark.parametrize(("case", "name", "value"), GOOD, ids=[f"compliance{c}" for c, *_ in GOOD])
def test_structured_settings_without_secrets(case: int, name: str, value: str) -> None:
    assert secret_reason(name, value) == "", case


def test_a_deep_document_is_searched_to_its_leaves() -> None:
    """500 levels (what `json.loads` decodes under Python's default recursion limit) reach the leaf."""
    value = '{"n": ' * 500 + '{"password": "hunter2"}' + "}" * 500
    assert secret_reason("DEEP", value) == f"{NAME} at {'n.' * 500}password"


def test_region_shape_is_botocores() -> None:
    """Every partition's `regionRegex` in botocore's endpoints.json (the data AWS SDKs resolve regions with) is
    covered by the classifier's region shape, and its regions match it."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    for partition in data["partitions"]:
        for region in partition["regions"]:
            assert secret_values._REGION.match(region), region
        prefixes = partition["regionRegex"].strip("^$").split("\\-\\w+")[0].replace("\\", "").strip("()")
        for prefix in prefixes.split("|"):
            assert secret_values._REGION.match(f"{prefix.replace('(', '').replace(')', '')}-west-1"), prefix


def test_a_yaml_alias_bomb_is_walked_once() -> None:
    """A "billion laughs" document (each level nine aliases of the one before) costs a node per anchor, not 9**9."""
    lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    value = "\n".join(lines) + f"\npassword: {PASSWORD}\n"
    start = time.perf_counter()
    assert secret_reason("BOMB", value) == f"{NAME} at password"
    assert time.perf_counter() - start < 2


def test_a_huge_value_is_not_parsed_as_yaml() -> None:
    """Over _STRUCTURED_MAX characters a value is judged by its lines and tokens, not handed to the YAML parser."""
    value = "padding: x\n" * 7000 + f"password = {PASSWORD}\n"
    assert secret_reason("BIG", value) == f"{NAME} at password"


REPRO = {
    "environment": {
        "variables": {"APP_CONFIG": APP_CONFIG, "STRIPE": STRIPE, "MAX_OUTPUT_TOKENS": "1024", "TOKEN_BUDGET": "200000"}
    }
}


def test_lambda_repro_is_a_violation() -> None:
    assert run_resource(lf.NO_SECRETS, lf.FUNCTION, REPRO, name="f") == [
        (
            f"f: environment variables hold secrets: APP_CONFIG ({NAME} at db.password), STRIPE ({SHAPE} at api_key).",
            None,
        )
    ]


def test_lambda_router_settings_pass() -> None:
    variables = {name: value for case, name, value in GOOD[:5]}
    assert run_resource(lf.NO_SECRETS, lf.FUNCTION, {"environment": {"variables": variables}}, name="f") == []


def test_container_repro_is_a_violation() -> None:
    props = task(
        {
            "name": "app",
            "image": "nginx",
            "environment": env(APP_CONFIG=APP_CONFIG, STRIPE=STRIPE, TOKEN_BUDGET="200000"),
        }
    )
    assert run(ce.TASK_DEFINITION, props) == found(
        f"app APP_CONFIG ({NAME} at db.password)", f"app STRIPE ({SHAPE} at api_key)"
    )
