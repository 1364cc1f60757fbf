import os
NAME = "café"
