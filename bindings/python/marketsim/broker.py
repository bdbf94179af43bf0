"""marketsim.Broker: Alpaca or the simulated broker (ms_broker), with
accounts, positions, the market clock, orders and fills as dicts."""
import ctypes
import math

from . import _api
from ._handle import Handle
from ._api import lib
from .errors import check, encode
from .source import Source

ORDER_TYPES = ("market", "limit", "stop", "stop_limit")
TIMES_IN_FORCE = ("day", "gtc", "opg", "cls", "ioc", "fok")
ORDER_CLASSES = ("simple", "oto", "bracket", "oco")
ASSET_CLASSES = ("stock", "crypto")
_ENUM_FIELDS = {"type": ORDER_TYPES, "time_in_force": TIMES_IN_FORCE,
                "order_class": ORDER_CLASSES, "asset_class": ASSET_CLASSES}


_STATE_FIELDS = ("state", "take_profit_state")


def struct_dict(struct):
    """A broker struct as a dict: char arrays decoded, enums and sides by
    name. An order's "status" is the broker's own word (for display), its
    "state" marketsim's name for it ("other" for a word marketsim does not
    know), and "is_open" whether it may still fill (ms_order_is_open)."""
    result = {}
    for name, _ in struct._fields_:
        value = getattr(struct, name)
        if isinstance(value, bytes):
            value = value.decode()
        elif name in _STATE_FIELDS:
            if name == "state":
                result["is_open"] = bool(lib.ms_order_is_open(value))
            value = lib.ms_order_status_name(value).decode()
        elif name in _ENUM_FIELDS:
            value = _ENUM_FIELDS[name][value]
        elif name == "side":
            value = "buy" if value > 0 else "sell"
        result[name] = value
    return result


def _enum_index(names, value, what):
    if value not in names:
        raise ValueError("%s must be one of %s, got %r" % (what, ", ".join(names), value))
    return names.index(value)


def _price(value):
    return math.nan if value is None else float(value)


def _take_array(pointer, count, struct_type):
    """Copies `count` library-allocated structs into dicts and frees them."""
    try:
        items = ctypes.cast(pointer, ctypes.POINTER(struct_type))
        return [struct_dict(items[i]) for i in range(count.value)]
    finally:
        lib.ms_free(pointer)


class Broker(Handle):
    """An open broker. Use Broker.open(); close() (or a with block) frees
    it. One thread at a time, as in C: a call while another thread's call
    is using it raises marketsim.Error, and close() waits for the call in
    flight. Every failure raises marketsim.Error."""

    _free = staticmethod(lib.ms_broker_free)
    _kind = "broker"
    _exclusive = True

    @classmethod
    def open(cls, uri, live=False, sim_cash=0.0, read_only=False):
        """Opens "alpaca" (keys from the environment or key file; paper
        unless live=True and MARKETSIM_LIVE_TRADING=yes) or "sim:PATH" (a
        simulated account journaled at PATH; sim_cash is a new journal's
        starting cash, 0 = 100000). read_only: change nothing (a dry run):
        orders and cancels raise marketsim.Error, and a sim journal is only
        read (its syncs stay in memory)."""
        options = _api.init(_api.BrokerOptions)
        # Python programs set up Alpaca as the CLI does: APCA_*, PAPER,
        # MARKETSIM_LIVE_TRADING and the XDG directories from the environment.
        options.from_env = 1
        options.live = int(bool(live))
        options.sim_cash = sim_cash
        options.read_only = int(bool(read_only))
        handle = ctypes.c_void_p()
        check(lib.ms_broker_open(ctypes.byref(handle), encode(uri), ctypes.byref(options)))
        return cls(handle)

    @property
    def name(self):
        """"alpaca-paper", "alpaca-live" or "sim"."""
        with self.use() as handle:
            return lib.ms_broker_name(handle).decode()

    def _summary(self):
        return self.name

    def price_increment(self, symbol, price):
        """The smallest price step this broker takes for `symbol` at
        `price` (0: any price)."""
        with self.use() as handle:
            return lib.ms_broker_price_increment(handle, encode(symbol), float(price))

    def client_id_max(self):
        """The longest client_order_id this broker takes."""
        with self.use() as handle:
            return lib.ms_broker_client_id_max(handle)

    def account(self):
        account = _api.Account()
        with self.use() as handle:
            check(lib.ms_broker_account(handle, ctypes.byref(account)))
        return struct_dict(account)

    def positions(self):
        pointer, count = ctypes.c_void_p(), ctypes.c_size_t()
        with self.use() as handle:
            check(lib.ms_broker_positions(handle, ctypes.byref(pointer), ctypes.byref(count)))
        return _take_array(pointer, count, _api.Position)

    def clock(self):
        clock = _api.MarketClock()
        with self.use() as handle:
            check(lib.ms_broker_clock(handle, ctypes.byref(clock)))
        return struct_dict(clock)

    def orders(self, status="open"):
        """Orders with status "open", "closed" or "all"."""
        pointer, count = ctypes.c_void_p(), ctypes.c_size_t()
        with self.use() as handle:
            check(lib.ms_broker_orders(handle, encode(status), ctypes.byref(pointer),
                                       ctypes.byref(count)))
        return _take_array(pointer, count, _api.Order)

    def order(self, client_order_id):
        """The order with this client_order_id (Error "not found" if none)."""
        order = _api.Order()
        with self.use() as handle:
            check(lib.ms_broker_order_by_client_id(handle, encode(client_order_id),
                                                   ctypes.byref(order)))
        return struct_dict(order)

    def submit(self, symbol, qty, side, client_order_id, type="market", time_in_force="day",
               limit_price=None, stop_price=None, order_class="simple",
               take_profit_limit=None, stop_loss_stop=None):
        """Places an order exactly once per client_order_id and returns it.
        side: "buy" or "sell"; prices left None are unused."""
        request = _api.OrderRequest(
            encode(symbol), qty, 1 if _enum_index(("sell", "buy"), side, "side") else -1,
            _enum_index(ORDER_TYPES, type, "type"),
            _enum_index(TIMES_IN_FORCE, time_in_force, "time_in_force"),
            _price(limit_price), _price(stop_price),
            _enum_index(ORDER_CLASSES, order_class, "order_class"),
            _price(take_profit_limit), _price(stop_loss_stop), encode(client_order_id))
        order = _api.Order()
        with self.use() as handle:
            check(lib.ms_broker_submit(handle, ctypes.byref(request), ctypes.byref(order)))
        return struct_dict(order)

    def cancel(self, order_id):
        """Cancels the order with the broker's id `order_id`."""
        with self.use() as handle:
            check(lib.ms_broker_cancel(handle, encode(order_id)))

    def sync(self, now, data="synthetic"):
        """Advances a simulated broker to `now` (UTC seconds), filling what
        the bars of `data` (a source URI, as for analyze) reach; its clock
        then reads `now`. A no-op for real brokers."""
        with Source(data) as prices, self.use() as handle, prices.use() as source:
            check(lib.ms_broker_sync(handle, source, now))

    def fills(self, since=0):
        """The account's fills at or after `since` (UTC seconds), oldest
        first. The whole history is read, so each fill's realized_pl (at
        average cost, docs/trading.md) and position_after are known."""
        pointer = ctypes.c_void_p()
        with self.use() as handle:
            check(lib.ms_broker_fills(handle, 0, ctypes.byref(pointer)))
        try:
            every = (lib.ms_fills_at(pointer, i).contents
                     for i in range(lib.ms_fills_count(pointer)))
            return [struct_dict(fill) for fill in every if fill.time >= since]
        finally:
            lib.ms_fills_free(pointer)
