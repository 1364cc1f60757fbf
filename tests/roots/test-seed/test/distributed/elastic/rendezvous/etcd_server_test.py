import unittest

from torch.distributed.elastic.rendezvous.etcd_server import EtcdServer


class EtcdServerTest(unittest.TestCase):
    def test_etcd_server_start_stop(self):
        server = EtcdServer()
        server.start()
        server.stop()
