"""ctx.npm: install, ci, uninstall and ls against a real registry, writing the object's files."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from dotdo.primitives.bashx import Bash
from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.npmx import (
    Npm,
    NpmError,
    NpmIntegrityError,
    NpmLockError,
    NpmRegistryError,
    NpmResolveError,
    NpmSpecError,
    NpmTarballError,
    TarballCache,
)
from dotdo.runtime.storage import Storage
from tests.primitives.npmx.local_registry import LocalRegistry, pack
from tests.primitives.npmx.oracle import fsx_tree


async def files_of(fs: FileSystem) -> dict[str, bytes]:
    """Every regular file of ``fs`` with its bytes (what "nothing was written" is checked against)."""
    found = {}
    for path in fs.sync.glob("**/*"):
        if fs.sync.is_file(path) and not fs.sync.is_symlink(path):
            found[path] = fs.sync.read(path)
    return found


async def test_install_writes_package_json_lockfile_and_node_modules(npm: Npm, fs: FileSystem) -> None:
    result = await npm.install("beta@^1.0.0", "gamma")
    package_json = json.loads(await fs.read("/package.json"))
    assert package_json["dependencies"] == {"beta": "^1.0.0", "gamma": "^1.0.0"}
    assert fsx_tree(fs.sync) == {
        "node_modules/alpha": "1.1.0",
        "node_modules/beta": "1.1.0",
        "node_modules/gamma": "1.0.0",
        "node_modules/gamma/node_modules/alpha": "2.0.0",
    }
    assert result.packages == fsx_tree(fs.sync)
    lock = json.loads(await fs.read("/package-lock.json"))
    assert lock["lockfileVersion"] == 3
    assert lock["packages"][""]["dependencies"] == package_json["dependencies"]
    assert lock["packages"]["node_modules/gamma/node_modules/alpha"]["integrity"].startswith("sha512-")
    assert (await fs.read("/node_modules/gamma/node_modules/alpha/index.js")).startswith(b"module.exports")
    hidden = json.loads(await fs.read("/node_modules/.package-lock.json"))
    assert hidden["packages"] == {k: v for k, v in lock["packages"].items() if k}


async def test_exact_and_dev_installs_are_saved_as_asked(npm: Npm, fs: FileSystem) -> None:
    await npm.install("alpha@next", exact=True)
    await npm.install("tool", dev=True)
    package_json = json.loads(await fs.read("/package.json"))
    assert package_json["dependencies"] == {"alpha": "2.1.0-rc.1"}
    assert package_json["devDependencies"] == {"tool": "^1.0.0"}
    lock = json.loads(await fs.read("/package-lock.json"))
    assert lock["packages"]["node_modules/tool"]["dev"] is True


async def test_bin_links_point_into_the_package(npm: Npm, fs: FileSystem) -> None:
    await npm.install("tool", "shtool")
    assert await fs.readlink("/node_modules/.bin/fixture-tool") == "../tool/bin/tool.js"
    assert await fs.readlink("/node_modules/.bin/shtool") == "../shtool/bin/run.sh"
    assert (await fs.stat("/node_modules/tool/bin/tool.js")).st_mode & 0o777 == 0o755
    assert (await fs.stat("/node_modules/tool/index.js")).st_mode & 0o777 == 0o644


async def test_lockfile_round_trips_through_ci(npm: Npm, fs: FileSystem, tmp_path: Path, registry) -> None:
    await npm.install("deep-a", "alpha@^2", "plugin")
    lock_text = await fs.read("/package-lock.json")
    other = FileSystem(Storage(tmp_path / "other.sqlite"))
    await other.write("/package.json", await fs.read("/package.json"))
    await other.write("/package-lock.json", lock_text)
    result = await Npm(other, cache=npm.cache, registry=registry.url).ci()
    assert fsx_tree(other.sync) == fsx_tree(fs.sync)
    assert await other.read("/package-lock.json") == lock_text
    assert result.downloaded == 0, "every tarball came from the shared cache"
    # Installing again from the lock changes nothing.
    assert (await npm.install()).added == []
    assert await fs.read("/package-lock.json") == lock_text


async def test_ci_refuses_a_lockfile_out_of_sync(npm: Npm, fs: FileSystem) -> None:
    await npm.install("beta@1.0.0")
    package_json = json.loads(await fs.read("/package.json"))
    package_json["dependencies"]["gamma"] = "^1.0.0"
    await fs.write("/package.json", json.dumps(package_json))
    before = await files_of(fs)
    with pytest.raises(NpmLockError, match="in sync") as caught:
        await npm.ci()
    assert "gamma" in str(caught.value)
    assert await files_of(fs) == before


async def test_ci_refuses_a_lock_that_no_longer_satisfies(npm: Npm, fs: FileSystem) -> None:
    await npm.install("alpha@^1.0.0")
    lock = json.loads(await fs.read("/package-lock.json"))
    lock["packages"]["node_modules/alpha"]["version"] = "2.0.0"
    await fs.write("/package-lock.json", json.dumps(lock))
    with pytest.raises(NpmLockError, match="does not satisfy"):
        await npm.ci()


async def test_ci_needs_a_lockfile(npm: Npm, fs: FileSystem) -> None:
    await fs.write("/package.json", json.dumps({"dependencies": {"alpha": "^1.0.0"}}))
    with pytest.raises(NpmLockError, match="run install"):
        await npm.ci()


async def test_ci_can_omit_dev_packages(npm: Npm, fs: FileSystem) -> None:
    await npm.install("gamma")
    await npm.install("beta", dev=True)
    assert fsx_tree(fs.sync)["node_modules/alpha"] == "1.1.0"  # beta's, hoisted: gamma's nests
    await npm.ci(omit=("dev",))
    # As npm does, the lockfile's layout stays: only the dev packages are left out.
    assert fsx_tree(fs.sync) == {"node_modules/gamma": "1.0.0", "node_modules/gamma/node_modules/alpha": "2.0.0"}


async def test_uninstall_removes_the_package_and_what_only_it_needed(npm: Npm, fs: FileSystem) -> None:
    await npm.install("beta", "gamma", "tool")
    await npm.uninstall("gamma", "tool")
    assert json.loads(await fs.read("/package.json"))["dependencies"] == {"beta": "^1.1.0"}
    assert fsx_tree(fs.sync) == {"node_modules/alpha": "1.1.0", "node_modules/beta": "1.1.0"}
    assert not await fs.exists("/node_modules/.bin/fixture-tool")
    with pytest.raises(NpmError, match="not a dependency"):
        await npm.uninstall("left-pad")


async def test_ls_lists_the_tree(npm: Npm) -> None:
    await npm.install("user-1", "user-2")
    top = await npm.ls()
    assert {name: entry["version"] for name, entry in top["dependencies"].items()} == {
        "user-1": "1.0.0",
        "user-2": "1.0.0",
    }
    every = await npm.ls(all=True)
    assert every["dependencies"]["user-2"]["dependencies"]["shared-x"]["version"] == "1.0.0"
    assert every["dependencies"]["user-1"]["dependencies"]["shared-x"]["version"] == "1.1.0"


async def test_a_tampered_tarball_fails_and_writes_nothing(npm: Npm, fs: FileSystem) -> None:
    await npm.install("alpha@^1.0.0")
    before = await files_of(fs)
    with pytest.raises(NpmIntegrityError, match=r"tampered@1\.0\.0: integrity check failed"):
        await npm.install("tampered", "beta")
    assert await files_of(fs) == before
    assert not await fs.exists("/node_modules/tampered")


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ("alpha@^^1", NpmSpecError, "invalid version range"),
        ("alpha@^9.0.0", NpmResolveError, "No matching version found for alpha@\\^9.0.0"),
        ("no-such-package", NpmResolveError, "not in the registry"),
        ("alpha@nonexistent-tag", NpmResolveError, "no dist-tag 'nonexistent-tag'"),
        ("Bad Name", NpmSpecError, "not a valid npm package name"),
        ("", NpmSpecError, "non-empty"),
        ("my@npm:Bad Name@1", NpmSpecError, "not a valid npm package name"),
        ("my@npm:alpha@^^1", NpmSpecError, "invalid version range"),
        ("my@npm:alpha@npm:beta", NpmSpecError, "cannot name another alias"),
        ("my@npm:no-such-package", NpmResolveError, "not in the registry"),
    ],
)
async def test_bad_specs_fail_clearly_and_write_nothing(npm: Npm, fs: FileSystem, spec, error, match) -> None:
    with pytest.raises(error, match=match):
        await npm.install(spec)
    assert await files_of(fs) == {}


async def test_peer_dependencies_that_cannot_agree_fail_as_npm_does(npm: Npm, fs: FileSystem) -> None:
    with pytest.raises(NpmResolveError, match=r"ERESOLVE.*peer dependency host@\^1\.0\.0 of plugin@1\.0\.0"):
        await npm.install("host@2.0.0", "plugin")
    assert await files_of(fs) == {}


async def test_an_alias_installs_another_package_under_its_name_and_is_saved_as_npm_does(
    npm: Npm, fs: FileSystem
) -> None:
    await npm.install("alpha@^2.0.0", "old-alpha@npm:alpha@1.0.0", "latest-beta@npm:beta")
    package_json = json.loads(await fs.read("/package.json"))
    assert package_json["dependencies"] == {
        "alpha": "^2.0.0",
        "old-alpha": "npm:alpha@1.0.0",
        "latest-beta": "npm:beta@^1.1.0",
    }
    tree = {
        "node_modules/alpha": "2.0.0",
        "node_modules/latest-beta": "beta@1.1.0",
        "node_modules/latest-beta/node_modules/alpha": "1.1.0",  # beta's own alpha, not the project's
        "node_modules/old-alpha": "alpha@1.0.0",
    }
    assert fsx_tree(fs.sync) == tree
    lock = json.loads(await fs.read("/package-lock.json"))
    assert lock["packages"]["node_modules/old-alpha"]["name"] == "alpha"
    await fs.rm("/node_modules", recursive=True)
    await npm.ci()
    assert fsx_tree(fs.sync) == tree


async def test_git_and_file_specs_are_not_supported_yet(npm: Npm) -> None:
    with pytest.raises(NotImplementedError, match="registries only"):
        await npm.install("thing@github:user/thing")


async def test_workspaces_are_not_supported_yet(npm: Npm, fs: FileSystem) -> None:
    await fs.write("/package.json", json.dumps({"name": "mono", "workspaces": ["packages/*"]}))
    with pytest.raises(NotImplementedError, match="workspaces"):
        await npm.install("alpha")


@pytest.mark.parametrize("entry", ["../escape.js", "package/../../escape.js", "/etc/evil.js"])
async def test_tarballs_with_paths_outside_the_package_are_refused(
    registry: LocalRegistry, fs: FileSystem, cache: TarballCache, entry: str
) -> None:
    name = "evil-" + str(abs(hash(entry)) % 10**8)
    manifest = {"name": name, "version": "1.0.0"}
    registry.publish(manifest, tarball=pack(manifest, {entry: "owned\n"}, raw=True))
    npm = Npm(fs, cache=cache, registry=registry.url, prefix="/app")
    await fs.mkdir("/app")
    with pytest.raises(NpmTarballError, match="refused, nothing was written"):
        await npm.install(name)
    assert fs.sync.glob("**/*") == ["/app"]


async def test_registry_and_token_come_from_npmrc(registry: LocalRegistry, fs: FileSystem, cache: TarballCache) -> None:
    registry.publish({"name": "@private/secret", "version": "1.0.0"}, {"index.js": "module.exports = 42\n"})
    npm = Npm(fs, cache=cache)  # no registry given: .npmrc decides
    await fs.write("/.npmrc", f"registry={registry.url}\n")
    with pytest.raises(NpmRegistryError, match="_authToken"):
        await npm.install("@private/secret")
    token = registry.add_user("reader", "a-long-password")
    host = registry.url.split("//", 1)[1]
    await fs.write("/.npmrc", f"registry={registry.url}\n//{host}:_authToken=${{NPM_TOKEN}}\n")
    await Npm(fs, cache=cache, env={"NPM_TOKEN": token}).install("@private/secret", "alpha")
    assert fsx_tree(fs.sync)["node_modules/@private/secret"] == "1.0.0"


async def test_scoped_registry_from_npmrc(registry: LocalRegistry, fs: FileSystem, cache: TarballCache) -> None:
    await fs.write("/.npmrc", f"registry=http://127.0.0.1:9/\n@fixture:registry={registry.url}\n")
    await Npm(fs, cache=cache).install("@fixture/core")
    assert fsx_tree(fs.sync)["node_modules/@fixture/util"] == "1.1.0"


@pytest.mark.parametrize(
    ("body", "match"),
    [(b"<html>oops</html>", "not JSON"), (b'{"name": "alpha"}', "not a packument"), (b"[1, 2]", "not a packument")],
)
async def test_a_registry_returning_garbage_is_an_error(fs: FileSystem, cache: TarballCache, body, match) -> None:
    garbage = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    npm = Npm(fs, cache=cache, registry="http://registry.invalid/", transport=garbage)
    with pytest.raises(NpmRegistryError, match=match):
        await npm.install("alpha")
    assert await files_of(fs) == {}


async def test_broken_package_json_is_reported(npm: Npm, fs: FileSystem) -> None:
    await fs.write("/package.json", "{not json")
    with pytest.raises(NpmError, match="not valid JSON"):
        await npm.install("alpha")
    assert await fs.read("/package.json") == b"{not json"


async def test_a_project_in_a_subfolder(npm: Npm, fs: FileSystem) -> None:
    await fs.mkdir("/apps/web", parents=True)
    await npm.at("/apps/web").install("@fixture/core")
    assert await fs.exists("/apps/web/node_modules/@fixture/core/package.json")
    assert not await fs.exists("/node_modules")


def test_prefix_must_be_absolute(fs: FileSystem) -> None:
    with pytest.raises(ValueError, match="absolute"):
        Npm(fs, prefix="app", bash=Bash(fs))
