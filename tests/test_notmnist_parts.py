"""compat.data.notmnist is a package of four modules re-exported as one
namespace: every name of the former single module is still
``notmnist.<name>``."""

from compat.data import notmnist

# The public names of compat/data/notmnist.py before the split.
FORMER_NAMES = {
    "ARCHIVES", "COURSE_SIZES", "DATA_DIR_HINT", "IMAGE_SIZE", "KEYS", "LARGE", "LETTERS",
    "NUM_CLASSES", "PICKLE_NAME", "PIXEL_DEPTH", "SMALL", "SMALL_SIZES", "SOURCE_URL",
    "Source", "UnreadableImage", "build_course_dict", "check_course_dict",
    "default_cache_dir", "describe", "download_archives", "find_source", "letter_folders",
    "load_letter", "load_notmnist", "load_pickle", "maybe_extract", "maybe_pickle",
    "merge_datasets", "normalize", "randomize", "read_png", "reformat", "save_pickle",
    "split_letters",
}


def test_every_former_name_is_still_there():
    assert set(notmnist.__all__) == FORMER_NAMES
    assert all(hasattr(notmnist, name) for name in FORMER_NAMES)
    assert notmnist.LETTERS == tuple("ABCDEFGHIJ") and notmnist.IMAGE_SIZE == 28
