"""Input conversion every estimator shares: NumPy arrays, scipy.sparse matrices and
streamml.Batch, checked the way scikit-learn's ``check_array`` words its errors (so its
estimator checks recognise them), then handed to C++, which checks values (NaN/Inf, widths).

An empty batch (no rows) is part of a stream (a quiet interval of event time: forgetting
learners discount their memory by it), so partial_fit and predictions take one; fit refuses
an empty X, as scikit-learn's estimators do. No columns is refused everywhere.
"""

import numpy as np

from ._streamml import Batch


def is_sparse(X):
    return hasattr(X, "tocsr") and hasattr(X, "nnz")


def _refuse_complex(array, name):
    if np.iscomplexobj(array):
        raise ValueError(f"Complex data not supported: {name} holds complex numbers, "
                         f"streamml learners take real ones")


def dense(X, name="X", estimator=None, batch=False):
    """X as a float64 C-contiguous (n, d) array, d >= 1 and n >= 1 (no copy when it already
    is). batch=True (partial_fit, predictions) lets n be 0: an empty batch of a stream.

    scipy.sparse is refused with a message saying so, for estimators without a sparse path."""
    if type(X) is np.ndarray and X.dtype == np.float64 and X.ndim == 2 and X.flags.c_contiguous \
            and X.shape[1] > 0 and (batch or X.shape[0] > 0):
        return X  # the common case, checked at once
    if isinstance(X, Batch):
        return X.features
    if is_sparse(X):
        who = f"{estimator} " if estimator else ""
        raise TypeError(f"{who}takes dense input: sparse data (scipy.sparse) was passed; "
                        f"use X.toarray()")
    array = np.asarray(X)
    _refuse_complex(array, name)
    array = np.ascontiguousarray(array, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got a {array.ndim}-D array of shape "
            f"{array.shape}: Expected 2D array. Reshape your data either using array.reshape(-1, 1) "
            f"if your data has a single feature or array.reshape(1, -1) if it contains a single "
            f"sample.")
    n, d = array.shape
    if n == 0 and not batch:
        raise ValueError(f"Found array with 0 sample(s) (shape={array.shape}) while a minimum of 1 "
                         f"is required: {name} is empty")
    if d == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={array.shape}) while a minimum of "
                         f"1 is required: {name} has no columns")
    return array


def csr(X, batch=False):
    """A scipy.sparse matrix as the CSR parts C++ reads: (indptr, indices, data, n_cols)."""
    X = X.tocsr()
    _refuse_complex(X.data, "X")
    if (X.shape[0] == 0 and not batch) or X.shape[1] == 0:
        raise ValueError(f"Found array with 0 sample(s) or 0 feature(s) (shape={X.shape}) while a "
                         f"minimum of 1 is required")
    limit = np.iinfo(np.int32).max
    if X.shape[1] > limit or X.nnz > limit:
        raise ValueError(f"sparse X of shape {X.shape} with {X.nnz} stored values does not fit 32-bit "
                         f"indices")
    return (X.indptr, X.indices, X.data.astype(np.float64, copy=False), int(X.shape[1]))


def features(X, estimator=None, batch=False):
    """(dense or None, csr parts or None) for a learner with a sparse path; a streamml.Batch as
    its dense features and hashed columns."""
    if isinstance(X, Batch):
        return X.features, (None if X.sparse is None else csr(X.sparse, batch=True))
    if is_sparse(X):
        return None, csr(X, batch)
    return dense(X, estimator=estimator, batch=batch), None


def vector(y, name="y"):
    """A 1-D array of y as given (its dtype kept), complex refused."""
    array = np.asarray(y)
    _refuse_complex(array, name)
    return array


def column(y, name="y"):
    """Labels as a 1-D array: a column vector (n, 1) is taken with scikit-learn's
    DataConversionWarning; other shapes go on to C++, which names them."""
    array = vector(y, name)
    if array.ndim == 2 and array.shape[1] == 1:
        import warnings
        warnings.warn(_data_conversion_warning()(
            f"A column-vector {name} was passed when a 1d array was expected: it is read as "
            f"{name}.ravel()"), stacklevel=3)
        array = array.ravel()
    return array


def _data_conversion_warning():
    try:
        from sklearn.exceptions import DataConversionWarning
        return DataConversionWarning
    except ImportError:  # scikit-learn is not needed; its warning's name is kept
        return _DataConversionWarning


class _DataConversionWarning(UserWarning):
    pass


_DataConversionWarning.__name__ = _DataConversionWarning.__qualname__ = "DataConversionWarning"
