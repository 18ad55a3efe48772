import Lumbung
