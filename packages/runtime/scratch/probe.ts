import { loadLlama2c, loadHfModel, loadTokenizer } from '@caldera/io';
const a = await loadLlama2c('/work/shared/assets/models/stories260K/stories260K.bin');
console.log(a.config, a.tensors().slice(0, 12));
const b = await loadHfModel('/work/shared/assets/models/pycode-6m');
console.log(b.config, b.tensors().length, b.tensors().map(t=>t.name+':'+t.shape.join('x')).slice(0,12));
const t = await loadTokenizer('/work/shared/assets/models/pycode-6m');
console.log(t.encode('class Stack:\n    def __init__(self):\n', { bos: true }));
