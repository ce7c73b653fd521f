"""The legacy table against the two engines that apply it: every adapter
and order test the table names is registered in both the runner
(compat.legacy.adapters) and the upgrader (compat.upgrade), and nothing
else is; a made-up entry naming an unregistered key is reported; every
``new`` the table gives exists in TensorFlow 2.21 or imports; and no engine
module spells a legacy name itself."""

import ast
import importlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

from compat import api, upgrade
from compat.api import Kind, LegacyName
from compat.api.names import contrib
from conftest import REPO_ROOT

import tensorflow as tf  # noqa: E402  (the project requires it: no skip)

from compat.legacy import adapters  # noqa: E402  (imports TensorFlow)

# The keys as the table names them, read from its entries here rather than
# through compat.api.registry, which is what is under test.
TABLE_ADAPTERS = {entry.adapter for entry in api.ENTRIES if entry.adapter is not None} | {
    entry.era_adapter for entry in api.ENTRIES if entry.era_adapter is not None}
TABLE_ORDER_TESTS = {entry.old_order_if for entry in api.ENTRIES}

ENGINES = {
    "runner": (adapters.ADAPTERS, adapters.ORDER_TESTS),
    "upgrader": (upgrade.STATIC_ADAPTERS, upgrade.ORDER_TESTS),
}


def test_table_names_the_expected_keys():
    assert TABLE_ADAPTERS == {"scalar_summary", "image_summary", "histogram_summary",
                              "audio_summary", "reverse_with_mask", "sync_replicas_v1",
                              "legacy_flags", "legacy_app_run",
                              # a program's era (compat.api.era)
                              "truncate_div", "truncate_mod", "round_half_away",
                              "truncating_floordiv", "truncating_mod", "flat_lstm_state", "svd_0x_flags",
                              "exact_dct"}
    assert TABLE_ORDER_TESTS == {None, "positional", "positional_or_targets",
                                 "first_arg_is_axis", "second_arg_is_bool_mask",
                                 "has_replica_id",
                                 "third_arg_not_integer", "first_arg_is_shape",
                                 "uses_old_keyword"}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_every_table_key_registered_and_no_orphans(engine):
    registered_adapters, registered_tests = ENGINES[engine]
    assert set(registered_adapters) == TABLE_ADAPTERS
    assert set(registered_tests) == TABLE_ORDER_TESTS
    assert api.registry_problems(registered_adapters, registered_tests) == []


def test_adapter_kind_and_key_go_together():
    for entry in api.ENTRIES:
        assert (entry.kind is Kind.ADAPTER) == (entry.adapter is not None), entry.old


def test_adapters_without_a_static_form_keep_the_name():
    # The upgrader cannot write out the runner's leniency; it keeps the
    # name, which must then be the same, with a note saying what differs.
    for key, handler in upgrade.STATIC_ADAPTERS.items():
        if handler.rewrite is None:
            for entry in api.ENTRIES:
                if entry.adapter == key:
                    assert entry.new == entry.old and entry.upgrade_note, entry.old


FAKE = LegacyName("tf.made_up_op", "tf.identity", "0.9", Kind.ADAPTER,
                  adapter="made_up_adapter", old_order_if="made_up_order")


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_unregistered_keys_of_a_made_up_entry_are_reported(engine):
    registered_adapters, registered_tests = ENGINES[engine]
    problems = api.registry_problems(registered_adapters, registered_tests,
                                     api.ENTRIES + (FAKE,))
    assert problems == [
        "adapter 'made_up_adapter' (named by tf.made_up_op) is not registered",
        "old_order_if 'made_up_order' (named by tf.made_up_op) is not registered",
    ]
    with pytest.raises(api.RegistryError, match="made_up_adapter") as caught:
        api.check_registries("engine-" + engine, registered_adapters, registered_tests,
                             api.ENTRIES + (FAKE,))
    assert str(caught.value).startswith("engine-%s does not match" % engine)


def test_orphan_registration_and_kind_mismatch_are_reported():
    orphaned = dict(adapters.ADAPTERS, unused_adapter=adapters.Adapter())
    no_key = LegacyName("tf.made_up_op", "tf.identity", "0.9", Kind.ADAPTER)
    problems = api.registry_problems(orphaned, adapters.ORDER_TESTS, api.ENTRIES + (no_key,))
    assert problems == [
        "tf.made_up_op is of kind adapter but does not name an adapter",
        "adapter 'unused_adapter' is registered, but no table entry names it",
    ]


def test_names_that_survived_1_0_are_those_tf_1_x_still_had():
    # tf.compat.v1 is TF 1.15's API: an old name of version 0.12 or 1.0 that
    # it still has stayed in 1.x as a deprecated alias, so it does not prove a
    # 0.x program (compat.api.era); one it lacks was gone.  Names whose old
    # argument order is the proof (tf.concat(1, ...)) are still there.
    for entry in api.ENTRIES:
        if entry.version not in ("0.12", "1.0") or not entry.old.startswith("tf."):
            continue
        obj = tf.compat.v1
        for part in entry.old.split(".")[1:]:
            obj = getattr(obj, part, None)
        if entry.kind is api.Kind.KEPT:
            # Kept: in both eras by definition (never proof of 0.x).
            assert obj is not None, entry.old
        elif entry.old_order_if is None:
            assert (obj is not None) == entry.survived_1_0, entry.old
        else:
            assert obj is not None and not entry.survived_1_0, entry.old


def _in_tf(path):
    """``tf.a.b`` in tf.compat.v1, else in TF 2.x; None when neither has it."""
    for root in (tf.compat.v1, tf):
        obj = root
        try:
            for part in path.split(".")[1:]:
                obj = getattr(obj, part)
            return obj
        except AttributeError:
            continue
    return None


def test_every_new_name_exists_in_tensorflow():
    checked = 0
    for entry in api.ENTRIES:
        if entry.kind not in (Kind.RENAME, Kind.ARGS, Kind.ADAPTER) or entry in contrib.ENTRIES:
            continue  # tf.contrib's (tf_slim and TF names): tests/test_contrib.py
        if entry.old.startswith(api.VALUE_MODULES):
            continue  # another library's names: tests/test_numpy_aliases.py
        assert entry.new.startswith("tf."), entry.old
        assert _in_tf(entry.new) is not None, (entry.old, entry.new)
        if entry.old_call_new:
            assert _in_tf(entry.old_call_new) is not None, (entry.old, entry.old_call_new)
        checked += 1
    # tf0: 57 entries less 11 kept, 3 modules, 2 unsupported; tf0_ops: 44 less 18 kept;
    # tf0_objects: 5.
    assert checked == 72


def test_every_member_entry_names_a_member_of_its_class():
    """A MEMBER entry's class exists (a tf. name or a module path) and has
    ``new``; what makes one is a TF name or a method of the class (today's,
    or an old one the table gives it back)."""
    assert api.MEMBERS
    for entry in api.MEMBERS:
        assert entry.kind is Kind.MEMBER and entry.old not in api.BY_OLD, entry.old
        owner = (_in_tf(entry.owner) if entry.owner.startswith("tf.") else getattr(
            importlib.import_module(entry.owner.rpartition(".")[0]),
            entry.owner.rpartition(".")[2]))
        assert isinstance(owner, type) and hasattr(owner, entry.new), entry.old
        old_members = {e.member for e in api.MEMBERS if e.owner == entry.owner}
        for maker in entry.made_by:
            assert (hasattr(owner, maker[1:]) or maker[1:] in old_members
                    if maker.startswith(".") else _in_tf(maker) is not None), (entry.old, maker)


def test_replacement_modules_import():
    replaced = [entry for entry in api.ENTRIES
                if entry.replaced_by_module and entry not in contrib.ENTRIES]
    assert [entry.new for entry in replaced][:2] == ["compat.input_data",
                                                     "compat.tutorial_mnist"]
    # The rest: tf.keras's private modules of TF 1.x, served from tf-keras.
    assert all(entry.new.startswith("tf_keras.src.") for entry in replaced[2:])
    for entry in replaced:
        module = importlib.import_module(entry.new)
        for member, _, _ in entry.pin_kwargs:
            assert callable(getattr(module, member)), (entry.new, member)


def test_moved_tf_namespaces_exist_with_their_environment():
    # tf.nn.rnn_cell needs TF_USE_LEGACY_KERAS=1 before TensorFlow loads:
    # resolved in a fresh interpreter with each entry's environment set.
    moved = [entry for entry in api.ENTRIES
             if entry.kind is Kind.MODULE and not entry.replaced_by_module
             and not entry.preload]   # preloaded ones: tests/test_estimator.py
    assert [entry.old for entry in moved] == ["tf.nn.rnn_cell"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    for entry in moved:
        env.update(entry.env)
    code = ("import json, sys, tensorflow as tf\n"
            "found = {}\n"
            "for path in json.loads(sys.argv[1]):\n"
            "    obj = None\n"
            "    for root in (tf.compat.v1, tf):\n"
            "        try:\n"
            "            obj = root\n"
            "            for part in path.split('.')[1:]:\n"
            "                obj = getattr(obj, part)\n"
            "            break\n"
            "        except AttributeError:\n"
            "            obj = None\n"
            "    found[path] = hasattr(obj, 'BasicLSTMCell')\n"
            "print(json.dumps(found))\n")
    paths = [entry.new for entry in moved]
    result = subprocess.run([sys.executable, "-c", code, json.dumps(paths)],
                            capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {"tf.nn.rnn_cell": True}


def test_module_path_entries_are_under_a_declared_place():
    # The runner builds the removed packages from the entries under them and
    # patches the kept modules' members: every module-path name is one of those.
    removed = {entry.old for entry in api.removed_modules()}
    kept = {entry.old for entry in api.kept_module_members()}
    spelt_as_modules = {entry.old for entry in api.ENTRIES
                        if entry.old.startswith("tensorflow.")}
    assert removed | kept == spelt_as_modules and not removed & kept
    assert {name for name in removed if not name.startswith("tensorflow.python.keras.")} == {
        "tensorflow.examples.tutorials.mnist.input_data",
        "tensorflow.examples.tutorials.mnist.mnist"}
    for entry in api.removed_modules():
        assert entry.replaced_by_module, entry.old
    for entry in api.kept_module_members():
        module_name, _, name = entry.old.rpartition(".")
        module = importlib.import_module(module_name)
        assert not hasattr(module, name), entry.old
        assert entry.kind is not Kind.MODULE, entry.old


ENGINE_SOURCES = [REPO_ROOT / "compat" / "legacy" / "shim.py",
                  REPO_ROOT / "compat" / "legacy" / "adapters.py",
                  *sorted((REPO_ROOT / "compat" / "upgrade").glob("*.py"))]


@pytest.mark.parametrize("path", ENGINE_SOURCES, ids=lambda p: pathlib.Path(p).name)
def test_engines_spell_no_legacy_name(path):
    """Names live in the table only: no engine module has a string literal
    that is an old or new name of an entry (docstrings aside)."""
    names = {entry.old for entry in api.ENTRIES} | {
        entry.new for entry in api.ENTRIES if entry.new}
    names |= {entry.local_copy for entry in api.ENTRIES if entry.local_copy}
    names |= set(api.REMOVED_PACKAGES) | set(api.KEPT_MODULES)
    tree = ast.parse(pathlib.Path(path).read_text())
    spelt = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not spelt & names


def test_local_copy_recognised_by_its_markers(tmp_path):
    entry = api.BY_OLD["tensorflow.examples.tutorials.mnist.input_data"]
    assert entry.local_copy == "input_data"
    whole = tmp_path / "input_data.py"
    whole.write_text("def read_data_sets(d):\n    pass\ndef extract_images(f):\n    pass\n"
                     "def _read32(s):\n    pass\nclass DataSet(object):\n    pass\n")
    partial = tmp_path / "partial.py"
    partial.write_text("def read_data_sets(d):\n    pass\nclass DataSet(object):\n    pass\n")
    for path, expected in ((whole, True), (partial, False), (tmp_path / "absent.py", False)):
        assert entry.is_local_copy(str(path)) is expected, path
    assert api.BY_OLD["tf.pack"].is_local_copy(str(whole)) is False
    assert api.local_copy_of("input_data") is entry and api.local_copy_of("utils") is None
