#!/usr/bin/env python3
"""An OPC UA client independent of Jumeau (FreeOpcUa asyncua) that inspects a server the way a
third-party HMI or historian would, and prints what it found as one JSON object:

- every variable under ns=2;s=Jumeau with its type definition; for AnalogItemType its EURange
  and EngineeringUnits properties, for TwoStateDiscreteType its TrueState and FalseState;
- Server/ServerStatus/BuildInfo and the ServerCapabilities/OperationLimits;
- notifications received on a subscription, and how many of PUBLISH extra publish requests sent
  at once the server refused (BadTooManyPublishRequests);
- as a hostile client would: the status of a monitored item on a node that does not exist, what
  the server answers to more items than a subscription may hold, and how many subscriptions one
  session may open.

Usage: opcua_inspect.py ENDPOINT [PUBLISH]"""
import asyncio
import json
import sys

from asyncua import Client, ua

ANALOG = ua.NodeId(ua.ObjectIds.AnalogItemType)
TWO_STATE = ua.NodeId(ua.ObjectIds.TwoStateDiscreteType)


async def properties(node):
    out = {}
    for p in await node.get_properties():
        name = (await p.read_browse_name()).Name
        out[name] = await p.read_value()
    return out


async def variables(node, found):
    for child in await node.get_children():
        cls = await child.read_node_class()
        if cls == ua.NodeClass.Variable:
            found.append(child)
        elif cls == ua.NodeClass.Object:
            await variables(child, found)


def text(lt):
    return lt.Text if isinstance(lt, ua.LocalizedText) else None


async def main(url, extra_publish):
    client = Client(url, timeout=30)
    async with client:
        found = []
        await variables(client.get_node("ns=2;s=Jumeau"), found)
        analog, two_state, missing = [], [], []
        for v in found:
            typedef = await v.read_type_definition()
            props = await properties(v)
            name = v.nodeid.Identifier
            if typedef == ANALOG:
                r = props.get("EURange")
                eu = props.get("EngineeringUnits")
                ok = isinstance(r, ua.Range) and r.Low < r.High and eu is not None
                analog.append({"tag": name, "low": getattr(r, "Low", None),
                               "high": getattr(r, "High", None),
                               "unit": text(getattr(eu, "DisplayName", None))})
                if not ok:
                    missing.append(name)
            elif typedef == TWO_STATE:
                t, f = text(props.get("TrueState")), text(props.get("FalseState"))
                two_state.append({"tag": name, "true": t, "false": f})
                if not t or not f:
                    missing.append(name)

        def read(i):
            return client.get_node(ua.NodeId(i)).read_value()

        build = {
            "product_name": await read(ua.ObjectIds.Server_ServerStatus_BuildInfo_ProductName),
            "product_uri": await read(ua.ObjectIds.Server_ServerStatus_BuildInfo_ProductUri),
            "manufacturer": await read(ua.ObjectIds.Server_ServerStatus_BuildInfo_ManufacturerName),
            "software_version": await read(ua.ObjectIds.Server_ServerStatus_BuildInfo_SoftwareVersion),
            "build_number": await read(ua.ObjectIds.Server_ServerStatus_BuildInfo_BuildNumber),
        }
        limits = {
            "max_nodes_per_read": await read(
                ua.ObjectIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead),
            "max_nodes_per_browse": await read(
                ua.ObjectIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerBrowse),
            "max_monitored_items_per_call": await read(
                ua.ObjectIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall),
        }

        class Count:
            n = 0

            def datachange_notification(self, node, val, data):
                Count.n += 1

        sub = await client.create_subscription(200, Count())
        await sub.subscribe_data_change(found[:20])
        await asyncio.sleep(3)
        # Many clients keep several publish requests outstanding; the server must queue them.
        results = await asyncio.gather(
            *[asyncio.wait_for(client.uaclient.publish([]), 20) for _ in range(extra_publish)],
            return_exceptions=True)
        refused = sum(1 for r in results
                      if isinstance(r, Exception) and "TooManyPublish" in repr(r))
        failed = [repr(r) for r in results if isinstance(r, Exception)]
        unknown = await sub.subscribe_data_change(
            [found[0], client.get_node("ns=2;s=NO_SUCH_TAG")])
        await sub.delete()
        hostile = await hostile_items(client, found[0])
        print(json.dumps({
            "variables": len(found),
            "analog": len(analog),
            "two_state": len(two_state),
            "missing": missing,
            "analog_items": analog,
            "two_state_items": two_state,
            "build": build,
            "limits": limits,
            "notifications": Count.n,
            "extra_publish": extra_publish,
            "publish_refused": refused,
            "publish_failed": failed,
            "unknown_node_item": status_name(unknown[1]),
            "known_node_item": status_name(unknown[0]),
            **hostile,
        }, default=str))


def status_name(result):
    """A monitored item's outcome: "Good" (a handle) or the status code's name."""
    if isinstance(result, int):
        return "Good"
    return getattr(result, "name", None) or repr(result)


async def hostile_items(client, node):
    """Too many items on one subscription (the same node many times over), then subscriptions
    until the server refuses one."""
    class Ignore:
        def datachange_notification(self, node, val, data):
            pass

    sub = await client.create_subscription(1000, Ignore())
    over = None
    for n in (1_000, 5_000, 20_000):
        try:
            await sub.subscribe_data_change([node] * n)
        except ua.UaStatusCodeError as e:
            over = {"items": n, "refused": type(e).__name__}
            break
    await sub.delete()
    subs, refused = [], None
    for _ in range(50):
        try:
            subs.append(await client.create_subscription(1000, Ignore()))
        except ua.UaStatusCodeError as e:
            refused = type(e).__name__
            break
    for s in subs:
        await s.delete()
    return {"too_many_items": over, "subscriptions_opened": len(subs),
            "subscription_refused": refused}


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10))
