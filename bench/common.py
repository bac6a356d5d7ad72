"Shared pieces of the issue-7 benchmarks: the full-shape world, the split, and a callback timing the phases of a fit."
import time
from fastai.callback.core import Callback
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split

def full_world(root='worlds/full', blocks=4):
    "Full-shape synthetic world (1024 x 10861, blocks of 20k rows); generated on first use (~1 min/block, ~0.95 GB/block)."
    return make_world(root, profile='full', blocks=blocks, samples=())

def split(world, n_blocks, test_ratio=0.05, seed=0):
    ds = EmbeddingDataset([world.block_file(i) for i in range(n_blocks)])
    return ds, *dataset_split(ds, [1 - test_ratio, test_ratio], seed=seed)

class TrainTimer(Callback):
    "Wall time of the training and validation phases of a fit, training samples, and the end of the fit."
    order = 100
    def __init__(self): self.secs, self.valid_secs, self.samples, self.epoch_end = 0., 0., 0, []
    def before_train(self): self.t = time.perf_counter()
    def after_batch(self):
        if self.training: self.samples += len(self.xb[0])
    def after_train(self): self.secs += time.perf_counter() - self.t; self.epoch_end.append(self.secs)
    def before_validate(self): self.tv = time.perf_counter()
    def after_validate(self): self.valid_secs += time.perf_counter() - self.tv
    def after_fit(self): self.fit_end = time.perf_counter()

def valid_metrics(recorder)->dict:
    "The last epoch's validation metrics by bare name (fastai names them `valid_x` with train metrics, `x` without)."
    d = dict(zip(recorder.metric_names[1:-1], recorder.values[-1]))
    return {k[6:] if k.startswith('valid_') else k: v for k, v in d.items() if not k.startswith('train_')}
