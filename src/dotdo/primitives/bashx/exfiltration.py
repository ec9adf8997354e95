"""The rule that secrets never leave: reading a secret and reaching the network in one script is blocked.

Secrets are files (``/etc/shadow``, anything under ``.ssh/``, ``.aws/credentials``, ``.env`` files,
``.netrc``, ``.git-credentials``, ``.pgpass``, private keys named ``id_*``) and variables whose names
look secret (``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``, ``*API_KEY*``, ...). Network sinks are the
network programs (``curl``, ``wget``, ``nc`` ...) and ``/dev/tcp``/``/dev/udp`` redirections.

Two checks hold the rule. Before anything runs, the analysis scans every word of the script (eval
strings, command substitutions and sourced files included): a secret mentioned anywhere and a
network sink mentioned anywhere make the script *blocked*, which ``confirm=True`` does not lift.
While it runs, :class:`SecretFlow` notes the first secret the script touches (a path in a
command's arguments or a redirection, a secret variable expanded, the environment dumped) and
from then on refuses every network sink: what the analysis could not see (a path or a program
name built at run time) is caught as it happens.
"""

from __future__ import annotations

import re
import threading

SECRET_PATH_RE = re.compile(
    r"/etc/g?shadow\b"
    r"|(?:^|[/\s=@:'\"])\.ssh(?:/|\b)"
    r"|\.aws/(?:credentials|config)\b"
    r"|(?:^|[/\s=@:'\"])\.env(?:\.[\w.-]+)?(?=$|[\s'\";|&)<>])"
    r"|(?:^|[/\s=@:'\"])\.(?:netrc|git-credentials|pgpass)\b"
    r"|\.docker/config\.json\b"
    r"|\.kube/config\b"
    r"|(?:^|[/\s=@:'\"])id_(?:rsa|dsa|ecdsa|ed25519)\b"
)
"""Paths of files that hold secrets, found anywhere in a word."""

SECRET_NAME_RE = re.compile(
    r"SECRET|TOKEN|PASSW(?:OR)?D|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH",
    re.IGNORECASE,
)
"""Names of variables that hold secrets."""

SECRET_VARIABLE_RE = re.compile(r"\$\{?[!#]?([A-Za-z_][A-Za-z0-9_]*)")
NETWORK_PROGRAMS = frozenset(
    {
        "curl",
        "wget",
        "nc",
        "ncat",
        "netcat",
        "socat",
        "telnet",
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "ftp",
        "aria2c",
        "http",
        "https",
    }
)
"""Programs that send data over the network."""

NETWORK_WORD_RE = re.compile(r"(?<![\w.-])(" + "|".join(sorted(NETWORK_PROGRAMS)) + r")(?![\w.:-])|/dev/(?:tcp|udp)/")
ENVIRONMENT_DUMPS = frozenset({"env", "printenv", "set", "export", "declare", "typeset", "compgen"})
"""Commands that print every variable when given no names."""


def secret_references(text: str) -> list[str]:
    """The secret files and secret variables ``text`` mentions."""
    found = [_path_of(m.group(0)) for m in SECRET_PATH_RE.finditer(text)]
    found += ["$" + m.group(1) for m in SECRET_VARIABLE_RE.finditer(text) if SECRET_NAME_RE.search(m.group(1))]
    return found


def _path_of(match: str) -> str:
    """A matched secret path without the character in front of it."""
    text = match.strip(" \t=@:'\"")
    return text[1:] if text.startswith("/.") else text


def network_references(text: str) -> list[str]:
    """The network programs and ``/dev/tcp`` paths ``text`` mentions."""
    return [m.group(0) for m in NETWORK_WORD_RE.finditer(text)]


def is_network_sink(program: str) -> bool:
    """True for a network program (by its base name) or a ``/dev/tcp``/``/dev/udp`` path."""
    if "/" not in program:
        return program in NETWORK_PROGRAMS
    return program.rsplit("/", 1)[-1] in NETWORK_PROGRAMS or program.startswith(("/dev/tcp/", "/dev/udp/"))


def is_secret_name(name: str) -> bool:
    """True when a variable's name says it holds a secret."""
    return SECRET_NAME_RE.search(name) is not None


class SecretFlow:
    """What secret one script (with its stages, jobs and subshells) has touched so far."""

    def __init__(self) -> None:
        self.source: str | None = None
        self.lock = threading.Lock()
        self.secret_names: dict[str, bool] = {}

    def touched(self, what: str) -> None:
        """Record that the script read the secret ``what`` (the first one is kept for messages)."""
        with self.lock:
            if self.source is None:
                self.source = what

    def saw_words(self, words: list[str]) -> None:
        """Note a secret path among a command's expanded arguments."""
        for word in words:
            match = SECRET_PATH_RE.search(word)
            if match is not None:
                self.touched(_path_of(match.group(0)))
                return

    def saw_variable(self, name: str) -> None:
        """Note the expansion of a variable whose name looks secret."""
        secret = self.secret_names.get(name)
        if secret is None:
            secret = self.secret_names[name] = is_secret_name(name)
        if secret:
            self.touched("$" + name)

    def saw_dump(self, argv: list[str], names: list[str]) -> None:
        """Note a command that prints the environment while secret-looking variables are set."""
        base = argv[0].rsplit("/", 1)[-1]
        dumps = base in ("env", "printenv") and all(a.startswith("-") or "=" in a for a in argv[1:])
        dumps = dumps or (base in ENVIRONMENT_DUMPS and (len(argv) == 1 or argv[1:] in (["-p"], ["-x"])))
        if dumps:
            secret = next((n for n in names if is_secret_name(n)), None)
            if secret is not None:
                self.touched("$" + secret)

    def refusal(self, sink: str) -> str | None:
        """Why sending to ``sink`` is refused now (None when no secret was read)."""
        if self.source is None:
            return None
        return (
            f"{sink}: blocked: the script read the secret {self.source} and may not reach the network "
            "afterwards (secrets never leave; this is not lifted by confirm=True)"
        )
