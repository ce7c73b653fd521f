"""The legacy-API knowledge: the one table of old TensorFlow names
(``compat.api.table``), the lookups both engines use, the runner
(``compat.legacy``) and the source upgrader (``compat.upgrade``), and the
check that both engines register every adapter and order test the table
names (``compat.api.registry``).  Facts about today's TensorFlow names that
are not legacy names are in ``compat.api.tf_names``."""

from compat.api.registry import RegistryError, check_registries, registry_problems  # noqa: F401
from compat.api.table import (BY_OLD, ENTRIES, KEPT_MODULES, REMOVED_PACKAGES,  # noqa: F401
                              VALUE_MODULES, Kind, LegacyName, entries_under,
                              kept_module_members, local_copy_of, lookup, removed_modules,
                              namespace_module, replaced_submodule, served_namespace,
                              value_module_members)
from compat.api.table import MEMBERS, MEMBERS_BY_OLD, is_outside_tf, members_named  # noqa: F401
