"""``tf.contrib.opt`` optimizers (TF 1.8-1.15) for TensorFlow 2.21.

TF 2.x dropped ``tf.contrib``; TF 1.x programs built these optimizers on
``tf.train.Optimizer`` in graph mode, so they are rebuilt here on
``tf.compat.v1.train.Optimizer`` / ``AdamOptimizer`` with TF 1.x's names,
arguments, slot names (``m``, ``v``) and update rules:

* ``MovingAverageOptimizer``: wraps an optimizer and keeps an
  ``ExponentialMovingAverage`` of the trained variables (updated after
  the step when ``sequential_update``); ``swapping_saver`` saves the
  averages under the variables' names and the variables under the
  averages' names, so a checkpoint restores averaged weights into a model;
* ``LazyAdamOptimizer``: Adam whose sparse (IndexedSlices) update reads
  and writes only the gathered rows of ``m``, ``v`` and the variable;
* ``NadamOptimizer``: Adam with Nesterov momentum (default name "Adam",
  as TF 1.x had);
* ``DecoupledWeightDecayExtension``, ``extend_with_decoupled_weight_decay``,
  ``AdamWOptimizer``, ``MomentumWOptimizer``: decoupled weight decay
  (Loshchilov & Hutter): ``var -= weight_decay * var`` runs *before* the
  base optimizer's update of the same step (TF 1.x ordered it by a
  control dependency), only on the gathered rows for sparse gradients,
  and only on ``decay_var_list`` when one is given to ``apply_gradients``
  (TF 1.x's ``minimize(decay_var_list=...)`` was overridden by the
  ``apply_gradients`` call inside it and decayed everything; kept as is).

The TF 1.x deprecation warning on ``NadamOptimizer`` is not reproduced.
"""

import inspect

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = [
    "MovingAverageOptimizer", "LazyAdamOptimizer", "NadamOptimizer",
    "DecoupledWeightDecayExtension", "extend_with_decoupled_weight_decay",
    "AdamWOptimizer", "MomentumWOptimizer",
]


class MovingAverageOptimizer(v1.train.Optimizer):
    """Optimizer wrapper that also maintains moving averages of the
    variables it trains (see the module docstring)."""

    def __init__(self, opt, average_decay=0.9999, num_updates=None,
                 sequential_update=True):
        # The base constructor only records a name and locking flag; the
        # wrapped optimizer does all the gradient work.
        super().__init__(use_locking=False, name="MovingAverageOptimizer")
        self._optimizer = opt
        # zero_debias only affects averages of non-variable tensors, so for
        # trained variables this is the plain EMA initialised to the
        # variable's initial value (TF 1.15 passed the same flag).
        self._ema = v1.train.ExponentialMovingAverage(
            average_decay, num_updates=num_updates, zero_debias=True)
        self._swapped_variable_name_map = None
        self._sequential_update = sequential_update

    def compute_gradients(self, *args, **kwargs):
        return self._optimizer.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = list(grads_and_vars)
        train_op = self._optimizer.apply_gradients(
            grads_and_vars, global_step=global_step, name=name)
        var_list = [v for g, v in grads_and_vars if g is not None]
        self._swapped_variable_name_map = {}
        if self._sequential_update:
            # Average the freshly updated values, not the pre-step ones.
            with tf.control_dependencies([train_op]):
                ma_op = self._ema.apply(var_list)
        else:
            ma_op = self._ema.apply(var_list)
        for var in var_list:
            avg = self._ema.average(var)
            self._swapped_variable_name_map[var.op.name] = avg.op.name
            self._swapped_variable_name_map[avg.op.name] = var.op.name
        return tf.group(train_op, ma_op, name="train_with_avg")

    def swapping_saver(self, var_list=None, name="swapping_saver", **kwargs):
        """A ``Saver`` that writes each average under its variable's name
        and vice versa.  Call after ``minimize``/``apply_gradients``."""
        if self._swapped_variable_name_map is None:
            raise RuntimeError("Must call apply_gradients or minimize before "
                               "creating the swapping_saver")
        if var_list is None:
            var_list = v1.global_variables()
        if isinstance(var_list, dict):
            by_name = dict(var_list)
        else:
            by_name = {v.op.name: v for v in var_list}
        swapped = {}
        for v_name, var in by_name.items():
            partner = self._swapped_variable_name_map.get(v_name)
            if partner is not None:
                # Saving one half of a pair without the other would silently
                # drop either the weights or their average.
                if partner not in by_name:
                    raise ValueError(
                        "Variable to swap %s is not part of variables to save. "
                        "This breaks MovingAverageOptimizer." % partner)
                var = by_name[partner]
            swapped[v_name] = var
        return v1.train.Saver(swapped, name=name, **kwargs)


def _adam_constants(opt, var):
    """Adam's hyper-parameters and bias-corrected step size, cast to the
    variable's dtype."""
    dtype = var.dtype.base_dtype
    beta1_power, beta2_power = opt._get_beta_accumulators()
    beta1_power = tf.cast(beta1_power, dtype)
    beta2_power = tf.cast(beta2_power, dtype)
    beta1 = tf.cast(opt._beta1_t, dtype)
    beta2 = tf.cast(opt._beta2_t, dtype)
    epsilon = tf.cast(opt._epsilon_t, dtype)
    lr = tf.cast(opt._lr_t, dtype) * tf.sqrt(1 - beta2_power) / (1 - beta1_power)
    return beta1_power, beta2_power, beta1, beta2, epsilon, lr


class LazyAdamOptimizer(v1.train.AdamOptimizer):
    """Adam that, for sparse gradients, updates only the rows named by the
    gradient's indices in ``m``, ``v`` and the variable (other rows'
    moments do not decay).  Dense gradients get plain Adam."""

    def _lazy_update(self, values, var, indices):
        # Duplicate indices were already summed by the base class.
        _, _, beta1, beta2, epsilon, lr = _adam_constants(self, var)
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        m_t = v1.scatter_update(
            m, indices, beta1 * tf.gather(m, indices) + (1 - beta1) * values,
            use_locking=self._use_locking)
        v_t = v1.scatter_update(
            v, indices,
            beta2 * tf.gather(v, indices) + (1 - beta2) * tf.square(values),
            use_locking=self._use_locking)
        # For resource variables the scatter returns a lazy read whose
        # gather does not wait for the scatter, so order it explicitly.
        with tf.control_dependencies([m_t.op, v_t.op]):
            m_rows = tf.gather(m, indices)
            v_rows = tf.gather(v, indices)
        var_update = v1.scatter_sub(
            var, indices, lr * m_rows / (tf.sqrt(v_rows) + epsilon),
            use_locking=self._use_locking)
        return tf.group(var_update, m_t, v_t)

    def _apply_sparse(self, grad, var):
        return self._lazy_update(grad.values, var, grad.indices)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._lazy_update(grad, var, indices)


class NadamOptimizer(v1.train.AdamOptimizer):
    """Adam with Nesterov momentum (Dozat, 2015): the step uses
    ``beta1 * m_t + (1 - beta1) * g_t`` in place of ``m_t``."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 epsilon=1e-08, use_locking=False, name="Adam"):
        super().__init__(learning_rate=learning_rate, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, use_locking=use_locking, name=name)

    def _nesterov_args(self, grad, var):
        beta1_power, beta2_power, beta1, beta2, epsilon, _ = \
            _adam_constants(self, var)
        return dict(beta1_power=beta1_power, beta2_power=beta2_power,
                    lr=tf.cast(self._lr_t, var.dtype.base_dtype),
                    beta1=beta1, beta2=beta2, epsilon=epsilon, grad=grad,
                    use_locking=self._use_locking, use_nesterov=True)

    def _apply_dense(self, grad, var):
        return tf.raw_ops.ApplyAdam(
            var=var, m=self.get_slot(var, "m"), v=self.get_slot(var, "v"),
            **self._nesterov_args(grad, var)).op

    def _resource_apply_dense(self, grad, var):
        return tf.raw_ops.ResourceApplyAdam(
            var=var.handle, m=self.get_slot(var, "m").handle,
            v=self.get_slot(var, "v").handle, **self._nesterov_args(grad, var))

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        # Moments of all rows decay (not lazy); the Nesterov term uses the
        # new m of the touched rows.
        _, _, beta1, beta2, epsilon, lr = _adam_constants(self, var)
        m = self.get_slot(var, "m")
        m_scaled_g = grad * (1 - beta1)
        m_t = v1.assign(m, m * beta1, use_locking=self._use_locking)
        with tf.control_dependencies([m_t.op]):
            m_t = scatter_add(m, indices, m_scaled_g)
            m_bar = m_scaled_g + beta1 * tf.gather(m_t, indices)
        v = self.get_slot(var, "v")
        v_t = v1.assign(v, v * beta2, use_locking=self._use_locking)
        with tf.control_dependencies([v_t.op]):
            v_t = scatter_add(v, indices, (grad * grad) * (1 - beta2))
        v_rows = tf.gather(v_t, indices)
        var_update = scatter_add(var, indices,
                                 -lr * m_bar / (tf.sqrt(v_rows) + epsilon))
        return tf.group(var_update, m_bar, v_t)


class DecoupledWeightDecayExtension(object):
    """Mixin adding decoupled weight decay to an optimizer class; it must
    come first among the bases (``class X(DecoupledWeightDecayExtension,
    Base)``) so its ``_apply_*`` wrap the base ones."""

    def __init__(self, weight_decay, **kwargs):
        self._decay_var_list = None
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None
        super().__init__(**kwargs)

    @staticmethod
    def _as_decay_set(decay_var_list):
        # Variables are keyed by identity; False means "decay everything".
        return {v.ref() for v in decay_var_list} if decay_var_list else False

    # TF 1.x quirk kept on purpose: Optimizer.minimize calls
    # self.apply_gradients without decay_var_list, which resets the list
    # set here, so minimize(decay_var_list=...) decays every variable.
    # Only apply_gradients(decay_var_list=...) restricts the decay.
    def minimize(self, loss, global_step=None, var_list=None,
                 gate_gradients=v1.train.Optimizer.GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False,
                 name=None, grad_loss=None, decay_var_list=None):
        self._decay_var_list = self._as_decay_set(decay_var_list)
        return super().minimize(
            loss, global_step=global_step, var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            name=name, grad_loss=grad_loss)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None,
                        decay_var_list=None):
        self._decay_var_list = self._as_decay_set(decay_var_list)
        return super().apply_gradients(grads_and_vars, global_step=global_step,
                                       name=name)

    def _prepare(self):
        weight_decay = self._weight_decay
        if callable(weight_decay):
            weight_decay = weight_decay()
        self._weight_decay_tensor = tf.convert_to_tensor(weight_decay,
                                                         name="weight_decay")
        super()._prepare()

    def _decays(self, var):
        return not self._decay_var_list or var.ref() in self._decay_var_list

    def _decay_rate(self, var):
        return tf.cast(self._weight_decay_tensor, var.dtype.base_dtype)

    def _decay_weights_op(self, var):
        if self._decays(var):
            return v1.assign_sub(var, self._decay_rate(var) * var,
                                 use_locking=self._use_locking).op
        return tf.no_op()

    def _decay_weights_sparse_op(self, var, indices):
        if self._decays(var):
            update = -self._decay_rate(var) * tf.gather(var, indices)
            return v1.scatter_add(var, indices, update,
                                  use_locking=self._use_locking).op
        return tf.no_op()

    # The base update runs under a control dependency on the decay, so
    # it reads the decayed variable: var <- (1 - wd) * var - step.
    def _apply_dense(self, grad, var):
        with tf.control_dependencies([self._decay_weights_op(var)]):
            return super()._apply_dense(grad, var)

    def _resource_apply_dense(self, grad, var):
        with tf.control_dependencies([self._decay_weights_op(var)]):
            return super()._resource_apply_dense(grad, var)

    def _apply_sparse(self, grad, var):
        decay = self._decay_weights_sparse_op(var, grad.indices)
        with tf.control_dependencies([decay]):
            return super()._apply_sparse(grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        decay = self._decay_weights_sparse_op(var, indices)
        with tf.control_dependencies([decay]):
            return super()._resource_apply_sparse(grad, var, indices)


def extend_with_decoupled_weight_decay(base_optimizer):
    """A subclass of ``base_optimizer`` whose constructor takes
    ``weight_decay`` first and which decays the weights it updates."""

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension,
                                            base_optimizer):
        def __init__(self, weight_decay, *args, **kwargs):
            # The mixin takes keywords only, so map positional arguments
            # onto the base constructor's parameter names.
            params = list(inspect.signature(base_optimizer.__init__)
                          .parameters)[1:]
            kwargs.update(zip(params, args))
            super().__init__(weight_decay, **kwargs)

    return OptimizerWithDecoupledWeightDecay


class AdamWOptimizer(DecoupledWeightDecayExtension, v1.train.AdamOptimizer):
    """Adam with decoupled weight decay (``tf.contrib.opt.AdamWOptimizer``)."""

    def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9,
                 beta2=0.999, epsilon=1e-8, use_locking=False, name="AdamW"):
        super().__init__(weight_decay, learning_rate=learning_rate,
                         beta1=beta1, beta2=beta2, epsilon=epsilon,
                         use_locking=use_locking, name=name)


class MomentumWOptimizer(DecoupledWeightDecayExtension,
                         v1.train.MomentumOptimizer):
    """Momentum with decoupled weight decay
    (``tf.contrib.opt.MomentumWOptimizer``)."""

    def __init__(self, weight_decay, learning_rate, momentum,
                 use_locking=False, name="MomentumW", use_nesterov=False):
        super().__init__(weight_decay, learning_rate=learning_rate,
                         momentum=momentum, use_locking=use_locking,
                         name=name, use_nesterov=use_nesterov)
