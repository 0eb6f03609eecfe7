"""A session's network as a runnable script (GET /sessions/{id}/export): the session's
numbers handed to the engine's script writer (engine/export.py)."""

from __future__ import annotations

from ..engine.export import script
from ..engine.script_parts import HiddenSpec, ScriptSpec
from .sessions import Session


def spec_of(session: Session) -> ScriptSpec:
    """What a script needs of the session (call with its lock held)."""
    c, d, net, t = session.config, session.data, session.net, session.trainer
    return ScriptSpec(
        dataset=c.dataset, kind=d.kind, classes=d.classes, features=list(c.features),
        hidden=[HiddenSpec(h.units, h.activation, h.dropout, h.noise_sigma,
                           None if g is None else (g.copy(), b.copy(), m.copy(), v.copy()))
                for h, g, b, m, v in zip(net.hidden, net.gammas, net.betas, net.bn_mean,
                                         net.bn_var)],
        head=net.head.id, weights=[w.copy() for w in net.weights],
        biases=[b.copy() for b in net.biases],
        slopes=[None if s is None else s.copy() for s in net.slopes],
        optimizer=c.optimizer, learning_rate=c.learning_rate, momentum=c.momentum,
        batch_size=c.batch_size, regularization=c.regularization, reg_rate=c.reg_rate,
        step=t.step, epoch=t.epoch, train_x=d.x_train, train_y=d.y_train, test_x=d.x_test,
        test_y=d.y_test, beta1=c.adam_beta1, beta2=c.adam_beta2)


def export(session: Session, fmt: str) -> str:
    return script(spec_of(session), fmt)


def filename(fmt: str) -> str:
    return f"playground_{fmt}.py"
