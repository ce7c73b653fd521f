"""tf.contrib.learn.preprocessing's text tools (TF 1.x ``text.py`` and
``categorical_vocabulary.py``), in plain Python and numpy.

2016-2018 text classifiers turned sentences into fixed-length id arrays with
``VocabularyProcessor`` and pickled it next to their checkpoints.  This module
keeps the observable behaviour those programs depend on:

* ``tokenizer`` splits with TF 1.x's regular expression (runs of two or more
  capitals, a capitalised word followed by another capital, else runs of
  word characters, apostrophes and hyphens);
* ids are handed out in order of first appearance from 1; 0 is the unknown
  token and the padding, so unseen words and short documents both give 0;
* ``trim`` renumbers by descending frequency, ties alphabetical, and keeps
  only counts strictly above ``min_frequency``;
* ``transform`` is a generator of ``int64`` arrays of ``max_document_length``;
* ``restore`` reads pickles written by TF 1.x, whose classes are named by
  their ``tensorflow.contrib...preprocessing`` module paths.

The attribute names of both classes are TF 1.x's own, because a pickle
stores an object's ``__dict__`` by name.
"""

import collections
import io
import pickle
import re

import numpy as np

from compat.util import atomic

# TF 1.x's TOKENIZER_RE, character for character: tokens of saved models
# only match their vocabulary if the split is identical.
TOKENIZER_RE = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|[\'\w\-]+", re.UNICODE)


def tokenizer(iterator):
    """Yield the list of tokens of each string of ``iterator``."""
    for value in iterator:
        yield TOKENIZER_RE.findall(value)


class CategoricalVocabulary:
    """A growing map from categories (words, ints) to ids; 0 is unknown.

    ``get`` of a new category gives it the next id unless the vocabulary is
    frozen; ``add`` also counts it for a later ``trim``.
    """

    def __init__(self, unknown_token="<UNK>", support_reverse=True):
        self._unknown_token = unknown_token
        self._mapping = {unknown_token: 0}
        self._support_reverse = support_reverse
        if support_reverse:
            self._reverse_mapping = [unknown_token]
        self._freq = collections.defaultdict(int)
        self._freeze = False

    def __len__(self):
        """Number of ids, the unknown token included."""
        return len(self._mapping)

    def freeze(self, freeze=True):
        """Stop (or with ``False`` resume) giving ids to new categories."""
        self._freeze = freeze

    def get(self, category):
        """The id of ``category``; a new one gets the next id, or 0 when
        the vocabulary is frozen."""
        if category not in self._mapping:
            if self._freeze:
                return 0
            self._mapping[category] = len(self._mapping)
            if self._support_reverse:
                self._reverse_mapping.append(category)
        return self._mapping[category]

    def add(self, category, count=1):
        """Count ``count`` more occurrences of ``category`` (giving it an id
        if new).  The unknown token and, once frozen, new categories are
        not counted."""
        if self.get(category) <= 0:
            return
        self._freq[category] += count

    def trim(self, min_frequency, max_frequency=-1):
        """Keep the categories counted more than ``min_frequency`` times (and
        fewer than ``max_frequency`` if that is positive), renumbered 1..n
        by descending count, ties in sorted order."""
        # Two stable sorts give "count descending, then category"; the
        # (is-str, value) key lets int and str categories be compared.
        by_name = sorted(self._freq.items(), key=lambda kv: (isinstance(kv[0], str), kv[0]))
        ranked = sorted(by_name, key=lambda kv: kv[1], reverse=True)
        self._mapping = {self._unknown_token: 0}
        if self._support_reverse:
            self._reverse_mapping = [self._unknown_token]
        kept = 0
        for category, count in ranked:
            if max_frequency > 0 and count >= max_frequency:
                continue
            # The list is sorted, so the first rare one ends the scan.
            if count <= min_frequency:
                break
            kept += 1
            self._mapping[category] = kept
            if self._support_reverse:
                self._reverse_mapping.append(category)
        # TF 1.x kept the first `kept` entries of the ranking as the counts,
        # which differ from the kept categories when max_frequency skipped
        # some; reproduced so a re-pickled vocabulary matches TF 1.x's.
        self._freq = dict(ranked[:kept])

    def reverse(self, class_id):
        """The category whose id is ``class_id``."""
        if not self._support_reverse:
            raise ValueError(
                "This vocabulary wasn't initalized with "
                "support_reverse to support reverse() function."
            )
        return self._reverse_mapping[class_id]


class VocabularyProcessor:
    """Maps documents to ``int64`` arrays of word ids, ``max_document_length``
    long: longer documents are cut, shorter ones padded with 0."""

    def __init__(self, max_document_length, min_frequency=0, vocabulary=None, tokenizer_fn=None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        # Truth test as in TF 1.x: a vocabulary always has len >= 1.
        self.vocabulary_ = vocabulary if vocabulary else CategoricalVocabulary()
        self._tokenizer = tokenizer_fn if tokenizer_fn else tokenizer

    def fit(self, raw_documents, unused_y=None):
        """Build the vocabulary from every token of ``raw_documents`` (also
        those past ``max_document_length``), trim it, freeze it.  Returns
        self."""
        for tokens in self._tokenizer(raw_documents):
            for token in tokens:
                self.vocabulary_.add(token)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        """``fit`` then ``transform`` of the same documents.  Like TF 1.x it
        iterates them twice, so a one-shot generator yields nothing."""
        self.fit(raw_documents)
        return self.transform(raw_documents)

    def transform(self, raw_documents):
        """Yield one ``int64`` id array per document; unknown words are 0."""
        for tokens in self._tokenizer(raw_documents):
            word_ids = np.zeros(self.max_document_length, np.int64)
            for idx, token in enumerate(tokens):
                if idx >= self.max_document_length:
                    break
                word_ids[idx] = self.vocabulary_.get(token)
            yield word_ids

    def reverse(self, documents):
        """Yield each id sequence as its words joined by spaces (padding
        shows as the unknown token)."""
        for item in documents:
            yield " ".join(self.vocabulary_.reverse(class_id) for class_id in item)

    def save(self, filename):
        """Pickle this processor to ``filename`` (complete or not at all)."""
        atomic.write_bytes(filename, pickle.dumps(self))

    @classmethod
    def restore(cls, filename):
        """Load a processor pickled by ``save`` or by TF 1.x."""
        with open(filename, "rb") as f:
            return _Tf1Unpickler(io.BytesIO(f.read())).load()


# TF 1.x module paths whose classes and functions now live here.  Every
# release named them under tensorflow.*; only the tail is stable.
_TF_MODULE_TAILS = ("preprocessing.text", "preprocessing.categorical_vocabulary")
_SERVED = {
    "VocabularyProcessor": VocabularyProcessor,
    "CategoricalVocabulary": CategoricalVocabulary,
    "tokenizer": tokenizer,
}


class _Tf1Unpickler(pickle.Unpickler):
    """An unpickler that finds TF 1.x's preprocessing classes here.

    Everything else resolves as usual, so a processor pickled with the
    user's own ``tokenizer_fn`` still finds it in the user's module.
    """

    def __init__(self, file):
        # Python 2 pickles store words as byte strings; the programs fed
        # them UTF-8 text, so that is how they are read back.
        super().__init__(file, encoding="utf-8")

    def find_class(self, module, name):
        if module.startswith("tensorflow.") and module.endswith(_TF_MODULE_TAILS):
            if name in _SERVED:
                return _SERVED[name]
        return super().find_class(module, name)
