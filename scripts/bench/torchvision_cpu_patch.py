# PyPI's torchvision for this torch is a CUDA build whose extension cannot load next to the CPU
# wheel; its fake-op registrations then fail. Skip those (the models need none of them).
import torch.library
_register_fake = torch.library.register_fake
def _tolerant(*args, **kwargs):
    decorate = _register_fake(*args, **kwargs)
    def apply(f):
        try: return decorate(f)
        except Exception: return f
    return apply
torch.library.register_fake = _tolerant
