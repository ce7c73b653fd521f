"""tf.contrib.learn.preprocessing text tools and datasets.base CSV loaders
(compat.tf1x.learn_text / learn_datasets), without TensorFlow.

Every expected value below was worked out by hand from TF 1.x's rules: the
tokenizer regex read alternative by alternative, ids in order of first
appearance from 1, trim ranking by count then alphabet.
"""

import pickle
import sys
import types

import numpy as np
import pytest

from compat.tf1x import learn_datasets as base
from compat.tf1x import learn_text as text
from compat.util.errors import DataError, DataUnavailableError

DOCS = ["the cat sat", "the dog sat down here", "a cat"]


@pytest.mark.parametrize(
    "sentence, tokens",
    [
        ("Hello World", ["Hello", "World"]),
        # "TF" is two capitals not followed by a lower-case letter; the
        # hyphen then starts a token of the third alternative.
        ("I'm a TF-user, isn't it?", ["I'm", "a", "TF", "-user", "isn't", "it"]),
        # A capitalised word directly followed by a capital splits there.
        ("CamelCase", ["Camel", "Case"]),
        # [A-Z]{2,} backs off one letter so "S" may start "Server".
        ("HTTPServer", ["HTTP", "Server"]),
        ("naïve café 42", ["naïve", "café", "42"]),
        ("under_score  x", ["under_score", "x"]),
        ("", []),
    ],
)
def test_tokenizer_splits_like_tf1(sentence, tokens):
    assert list(text.tokenizer([sentence])) == [tokens]


def test_tokenizer_regex_is_tf1s():
    assert text.TOKENIZER_RE.pattern == r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|[\'\w\-]+"


def ids(rows):
    return [list(r) for r in rows]


def test_fit_transform_numbers_words_by_first_appearance():
    vp = text.VocabularyProcessor(max_document_length=4)
    out = list(vp.fit_transform(DOCS))
    # the=1 cat=2 sat=3 dog=4 down=5 here=6 a=7 ("here" is past the cut
    # but fit counts every token).
    assert ids(out) == [[1, 2, 3, 0], [1, 4, 3, 5], [7, 2, 0, 0]]
    assert all(r.dtype == np.int64 and r.shape == (4,) for r in out)
    assert len(vp.vocabulary_) == 8
    assert vp.vocabulary_.get("here") == 6


def test_transform_maps_unseen_words_to_zero():
    vp = text.VocabularyProcessor(4).fit(DOCS)
    assert ids(vp.transform(["the bird sat", "zebra"])) == [[1, 0, 3, 0], [0, 0, 0, 0]]
    assert len(vp.vocabulary_) == 8  # frozen: no new ids


def test_min_frequency_keeps_words_seen_more_often_ranked_by_count():
    vp = text.VocabularyProcessor(4, min_frequency=1)
    out = ids(vp.fit_transform(DOCS))
    # Counts: the 2, cat 2, sat 2, the rest 1.  Kept: count > 1, ranked by
    # count then alphabet: cat=1, sat=2, the=3.
    assert out == [[3, 1, 2, 0], [3, 0, 2, 0], [0, 1, 0, 0]]
    assert len(vp.vocabulary_) == 4


def test_reverse_joins_words_and_shows_padding_as_unknown():
    vp = text.VocabularyProcessor(4).fit(DOCS)
    assert list(vp.reverse([[1, 2, 3, 0], np.array([7, 2, 0, 0])])) == [
        "the cat sat <UNK>",
        "a cat <UNK> <UNK>",
    ]


def test_custom_tokenizer_and_given_vocabulary():
    vocab = text.CategoricalVocabulary()
    chars = lambda docs: (list(d) for d in docs)  # noqa: E731
    vp = text.VocabularyProcessor(3, vocabulary=vocab, tokenizer_fn=chars)
    assert ids(vp.fit_transform(["abca", "cb"])) == [[1, 2, 3], [3, 2, 0]]
    assert vp.vocabulary_ is vocab


def test_categorical_vocabulary_get_add_freeze():
    v = text.CategoricalVocabulary()
    assert len(v) == 1 and v.get("<UNK>") == 0
    assert v.get("x") == 1 and v.get(7) == 2 and v.get("x") == 1
    v.add("y", count=3)
    v.add("<UNK>")  # id 0: never counted
    assert v.get("y") == 3 and dict(v._freq) == {"y": 3}
    v.freeze()
    assert v.get("new") == 0 and len(v) == 4
    v.freeze(False)
    assert v.get("new") == 4
    assert [v.reverse(i) for i in range(5)] == ["<UNK>", "x", 7, "y", "new"]


def test_trim_with_max_frequency_and_no_reverse():
    v = text.CategoricalVocabulary(unknown_token="?", support_reverse=False)
    for word, n in [("b", 3), ("a", 1), ("d", 2), ("c", 1)]:
        v.add(word, n)
    v.trim(0, max_frequency=3)
    v.freeze()  # trim alone does not freeze: get("b") would add it back
    # b (3) is dropped as too frequent; then d (2), a, c (1, alphabetical).
    assert [v.get(w) for w in "?dacb"] == [0, 1, 2, 3, 0]
    assert len(v) == 4
    with pytest.raises(ValueError, match="support_reverse"):
        v.reverse(1)


def test_save_restore_round_trip(tmp_path):
    vp = text.VocabularyProcessor(4, min_frequency=1)
    vp.fit(DOCS)
    path = tmp_path / "vocab"
    vp.save(str(path))
    assert [p.name for p in tmp_path.iterdir()] == ["vocab"]  # no .part left
    back = text.VocabularyProcessor.restore(str(path))
    assert isinstance(back, text.VocabularyProcessor)
    assert back.max_document_length == 4 and back.min_frequency == 1
    assert ids(back.transform(["the cat sat"])) == [[3, 1, 2, 0]]


TF_TEXT = "tensorflow.contrib.learn.python.learn.preprocessing.text"
TF_VOCAB = "tensorflow.contrib.learn.python.learn.preprocessing.categorical_vocabulary"


def tf1_pickle():
    """Bytes as TF 1.x's pickle.dumps(processor, 2) would write them: the
    classes and the default tokenizer named by their TF module paths."""
    names = [TF_TEXT, TF_VOCAB]
    for full in names[:]:
        parts = full.split(".")
        names += [".".join(parts[:i]) for i in range(1, len(parts))]
    # pickle imports the top-level package of a module it names; fake
    # parents keep that from loading the real TensorFlow.
    added = [n for n in dict.fromkeys(names) if n not in sys.modules]
    for n in added:
        sys.modules[n] = types.ModuleType(n)
    try:
        text_mod, vocab_mod = sys.modules[TF_TEXT], sys.modules[TF_VOCAB]

        def make(module, name, ns):
            cls = type(name, (object,), ns)
            cls.__module__ = module.__name__
            setattr(module, name, cls)
            return cls

        def tokenizer(iterator):
            raise AssertionError("the fake is never called")

        tokenizer.__module__, tokenizer.__qualname__ = TF_TEXT, "tokenizer"
        text_mod.tokenizer = tokenizer
        Vocab = make(vocab_mod, "CategoricalVocabulary", {})
        Proc = make(text_mod, "VocabularyProcessor", {})
        vocab = Vocab()
        vocab.__dict__.update(
            _unknown_token="<UNK>",
            _mapping={"<UNK>": 0, "hello": 1, "world": 2},
            _support_reverse=True,
            _reverse_mapping=["<UNK>", "hello", "world"],
            _freq={"hello": 2, "world": 1},
            _freeze=True,
        )
        proc = Proc()
        proc.__dict__.update(
            max_document_length=3, min_frequency=0, vocabulary_=vocab, _tokenizer=tokenizer
        )
        return pickle.dumps(proc, protocol=2)
    finally:
        for n in added:
            del sys.modules[n]


def test_restore_reads_a_tf1_pickle(tmp_path):
    data = tf1_pickle()
    assert TF_TEXT.encode() in data and TF_VOCAB.encode() in data
    assert TF_TEXT not in sys.modules
    path = tmp_path / "vocab_tf1"
    path.write_bytes(data)
    vp = text.VocabularyProcessor.restore(str(path))
    assert type(vp) is text.VocabularyProcessor
    assert type(vp.vocabulary_) is text.CategoricalVocabulary
    assert vp._tokenizer is text.tokenizer
    assert ids(vp.transform(["hello big world", "world"])) == [[1, 0, 2], [2, 0, 0]]
    assert list(vp.reverse([[2, 1, 0]])) == ["world hello <UNK>"]
    assert TF_TEXT not in sys.modules


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(body)
    return str(path)


def test_load_csv_with_header_iris_style(tmp_path):
    body = "3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n6.2,2.8,1\n"
    path = write(tmp_path, "iris.csv", body)
    ds = base.load_csv_with_header(path, target_dtype=np.int64, features_dtype=np.float32)
    assert isinstance(ds, base.Dataset)
    assert ds.data.dtype == np.float32 and ds.data.shape == (3, 2)
    expected = np.array([[5.1, 3.5], [4.9, 3.0], [6.2, 2.8]], np.float32)
    np.testing.assert_array_equal(ds.data, expected)
    assert ds.target.dtype == np.int64
    assert ds.target.tolist() == [0, 1, 1]


def test_load_csv_with_header_target_column_and_short_file(tmp_path):
    # Four samples announced, two given: the rest stays zeros as in TF 1.x.
    path = write(tmp_path, "t.csv", "4,2\n7,1.5,2.5\n\n8,0.5,-1\n")
    ds = base.load_csv_with_header(path, np.int32, np.float64, target_column=0)
    assert ds.target.tolist() == [7, 8, 0, 0] and ds.target.dtype == np.int32
    assert ds.data.tolist() == [[1.5, 2.5], [0.5, -1.0], [0, 0], [0, 0]]


def test_load_csv_with_header_bad_files(tmp_path):
    with pytest.raises(DataError, match="more rows"):
        base.load_csv_with_header(write(tmp_path, "a.csv", "1,1\n1,2\n3,4\n"), int, float)
    with pytest.raises(DataError, match="n_samples"):
        base.load_csv_with_header(write(tmp_path, "b.csv", "x,y\n1,2\n"), int, float)


def test_load_csv_without_header(tmp_path):
    path = write(tmp_path, "n.csv", "1.5,2,0\n3,4.25,1\n")
    ds = base.load_csv_without_header(path, target_dtype=np.int64, features_dtype=np.float32)
    assert ds.data.dtype == np.float32 and ds.data.tolist() == [[1.5, 2.0], [3.0, 4.25]]
    assert ds.target.dtype == np.int64 and ds.target.tolist() == [0, 1]
    ds0 = base.load_csv_without_header(path, np.float64, np.float64, target_column=0)
    assert ds0.target.tolist() == [1.5, 3.0] and ds0.data.tolist() == [[2.0, 0.0], [4.25, 1.0]]


def test_datasets_tuple_fields():
    d = base.Datasets(train=1, validation=2, test=3)
    assert d._fields == ("train", "validation", "test")
    assert base.Dataset._fields == ("data", "target")


def test_retry_schedule():
    calls = []

    def always_fails():
        calls.append(1)
        raise IOError("boom")

    # Delays 1, 2, 4 (8 > max) give three tries, plus the last one; with no
    # is_retriable nothing sleeps.
    with pytest.raises(IOError):
        base.retry(1.0, 4.0)(always_fails)()
    assert len(calls) == 4
    calls.clear()
    with pytest.raises(IOError):
        base.retry(1.0, 4.0, is_retriable=lambda e: False)(always_fails)()
    assert len(calls) == 1
    with pytest.raises(ValueError):
        base.retry(1.0, 4.0, factor=0.5)
    with pytest.raises(ValueError):
        base.retry(1.0, 4.0, jitter=1.0)


def test_retry_retries_timeouts_then_succeeds():
    state = {"n": 0}

    def flaky():
        state["n"] += 1
        if state["n"] < 3:
            raise IOError(110, "timed out")
        return "ok"

    assert base.retry(0.001, 0.004, is_retriable=base._is_retriable)(flaky)() == "ok"
    assert state["n"] == 3


def test_maybe_download(tmp_path, capsys):
    src = tmp_path / "src.csv"
    src.write_bytes(b"2,1\n1,0\n2,1\n")
    work = tmp_path / "work" / "sub"
    got = base.maybe_download("iris.csv", str(work), src.as_uri())
    assert got == str(work / "iris.csv")
    assert (work / "iris.csv").read_bytes() == src.read_bytes()
    assert capsys.readouterr().out == "Successfully downloaded iris.csv 12 bytes.\n"
    assert sorted(p.name for p in work.iterdir()) == ["iris.csv"]
    # Present: no download, even from a dead URL.
    assert base.maybe_download("iris.csv", str(work), "file:///nonexistent/x") == got
    with pytest.raises(DataUnavailableError, match="by hand"):
        base.maybe_download("other.csv", str(work), (tmp_path / "missing.csv").as_uri())
    assert sorted(p.name for p in work.iterdir()) == ["iris.csv"]
