// Every visible string, one table per language. Ids (datasets, activations, ...) are the
// contract's; their display names come from the catalog in English and from here in Chinese.

export const STRINGS = {
  en: {
    title: "Neural Playground",
    tagline: "Build a neural network, watch it learn, and step through every number.",
    play: "Play", pause: "Pause", step: "Step", stepTitle: "Train one epoch (→)",
    stepBatch: "One batch", stepBatchTitle: "Train one mini-batch",
    reset: "Reset", resetTitle: "Start again from the same initial weights",
    reseed: "Reseed", reseedTitle: "Start again from new random weights",
    epoch: "Epoch", learningRate: "Learning rate", activation: "Activation",
    regularization: "Regularization", regularizationRate: "Regularization rate",
    optimizer: "Optimizer", output: "Output", threshold: "Threshold", speed: "Speed",
    speedUnit: "epoch/frame", language: "Language", problem: "Problem",
    data: "Data", dataset: "Dataset", classes: "Classes", noise: "Noise",
    trainRatio: "Training data", batchSize: "Batch size", samples: "Samples",
    regenerate: "Regenerate", regenerateTitle: "New random data (new data seed)",
    features: "Features", featuresHint: "Which properties do you want to feed in?",
    hiddenLayers: "hidden layers", hiddenLayer: "hidden layer",
    addLayer: "Add hidden layer", removeLayer: "Remove hidden layer",
    addNeuron: "Add neuron", removeNeuron: "Remove neuron",
    neurons: "neurons", neuron: "neuron", dropout: "Dropout", layerActivation: "Layer activation",
    trainLoss: "Training loss", testLoss: "Test loss", trainAccuracy: "Training accuracy",
    testAccuracy: "Test accuracy", showTest: "Show test data", discretize: "Discretize output",
    outputColumn: "Output", outputRegion: "Output plot and step-through", lossChart: "Loss over epochs",
    weight: "Weight", bias: "Bias", positive: "positive", negative: "negative", zero: "zero",
    editWeight: "Type a weight, Enter applies", editBias: "Type a bias, Enter applies",
    from: "from", to: "to", node: "node", input: "input", formula: "Formula", value: "Value",
    nextNode: "Next node", previousNode: "Previous node", runToEnd: "Run to the end",
    calcTitle: "Step through the network, node by node",
    calcHint: "Click a point in the plot, then press “Next node” to follow its numbers through the network.",
    chosenPoint: "Chosen point", predicted: "prediction", probability: "probability", sumOfProbabilities: "sum of probabilities",
    classLabel: "class",
    diverged: "Training stopped: the network diverged.",
    divergedHint: "Lower the learning rate, then press Reset.",
    connectionLost: "Connection to the server lost. Retrying…",
    connectionBack: "Connected again.",
    resetsWeights: "This change starts from new weights.",
    resetsData: "New data: the weights are kept, the loss starts over on the new points.",
    hoverHint: "Hover a node to see its output; click an edge to edit its weight.",
    x1: "x1", x2: "x2", labelOptional: "label", pickTrain: "Training example", pickTest: "Test example",
    applyUpdate: "Apply this update", applied: "Applied one SGD step on this example.",
    diagTitle: "Diagnostics", gradChart: "Gradient size of each layer over training, log scale",
    confusionTitle: "Confusion matrix (test set)", truePredicted: "true ↓  predicted →",
    deadNone: "No dead units.",
    deadSome: "{n} dead unit(s): {list}. Their output is 0 for every training point, so no gradient reaches them and they stop learning. Try a lower learning rate, or Leaky ReLU.",
    gradOk: "Gradients reach every layer (first layer / last layer: {r}).",
    gradVanishing: "Vanishing gradients: the first layer's gradients are {r} times the last layer's, so the first layers hardly learn. Deep sigmoid or tanh networks do this; try ReLU, fewer layers, or He initialisation.",
    gradExploding: "Exploding gradients: they are huge or growing without bound. Lower the learning rate.",
    hiddenChange: "{act}(z) = 0 for every z ≤ 0: for this point the unit passes nothing on, and any change of z below 0 would not show.",
    noLabel: "Forward pass done. Give the point a label (or pick an example) to continue into back-propagation.",
    lossOfExample: "Loss of this example", backwardStep: "Back-propagation",
    weightGrad: "dL/dw = a × dL/dz", update: "update −lr × dL/dw with lr",
    layerName: "layer",
    explorerTitle: "Activation functions", close: "Close", explain: "Explain activations",
    explorerPlot: "The function (solid) and its derivative (dashed) on [-5, 5]",
    outputHeads: "Output heads",
    activationUse: {
      linear: "No non-linearity: stacked linear layers are still one linear map. A baseline.",
      sigmoid: "Squashes z into (0, 1): right for a binary output probability. In hidden layers its slope is at most 0.25, so deep sigmoid nets learn slowly (vanishing gradients).",
      tanh: "Like sigmoid but zero-centred, in (-1, 1): a good default for small hidden layers.",
      relu: "Cheap and never saturates for z > 0, but a unit whose z stays negative gets no gradient and can die.",
      leaky_relu: "Keeps a small slope (0.01) for negative z, so a unit keeps a gradient and cannot die.",
      prelu: "Like leaky ReLU, but each unit learns its own negative slope (starting at 0.25).",
      elu: "Smooth for negative z (e^z - 1), outputs closer to zero mean; no dead units.",
      softplus: "A smooth ReLU, ln(1 + e^z); its derivative is the sigmoid.",
      swish: "z · sigmoid(z): smooth and slightly non-monotonic; a modern choice for deeper nets.",
      gelu: "A smooth, ReLU-like curve (the default in Transformers); modern and well-behaved.",
    },
    headUse: {
      sigmoid: "one probability for two classes, with a threshold",
      softmax: "probabilities that sum to 1, for mutually exclusive classes",
      one_vs_all: "an independent probability per class, for labels that can co-occur",
      linear: "a real number, for regression (mean squared error)",
    },
    kinds: { binary: "Two classes", multiclass: "Several classes", regression: "Regression" },
    heads: {}, datasets: {}, activations: {}, optimizers: {}, regularizers: {},
  },
  zh: {
    title: "神经网络游乐场",
    tagline: "搭建神经网络，看它学习，逐个查看每一个数字。",
    play: "运行", pause: "暂停", step: "单步", stepTitle: "训练一个周期 (→)",
    stepBatch: "一个批次", stepBatchTitle: "训练一个小批量",
    reset: "重置", resetTitle: "从相同的初始权重重新开始",
    reseed: "重新随机", reseedTitle: "从新的随机权重重新开始",
    epoch: "周期", learningRate: "学习率", activation: "激活函数",
    regularization: "正则化", regularizationRate: "正则化率",
    optimizer: "优化器", output: "输出", threshold: "阈值", speed: "速度",
    speedUnit: "周期/帧", language: "语言", problem: "问题类型",
    data: "数据", dataset: "数据集", classes: "类别数", noise: "噪声",
    trainRatio: "训练数据比例", batchSize: "批量大小", samples: "样本数",
    regenerate: "重新生成", regenerateTitle: "生成新的随机数据（新的数据种子）",
    features: "特征", featuresHint: "要输入哪些属性？",
    hiddenLayers: "个隐藏层", hiddenLayer: "隐藏层",
    addLayer: "添加隐藏层", removeLayer: "删除隐藏层",
    addNeuron: "添加神经元", removeNeuron: "删除神经元",
    neurons: "个神经元", neuron: "个神经元", dropout: "Dropout", layerActivation: "本层激活函数",
    trainLoss: "训练损失", testLoss: "测试损失", trainAccuracy: "训练准确率",
    testAccuracy: "测试准确率", showTest: "显示测试数据", discretize: "离散化输出",
    outputColumn: "输出", outputRegion: "输出图与逐步计算", lossChart: "损失随周期变化",
    weight: "权重", bias: "偏置", positive: "正", negative: "负", zero: "零",
    editWeight: "输入权重，按回车应用", editBias: "输入偏置，按回车应用",
    from: "从", to: "到", node: "节点", input: "输入", formula: "公式", value: "值",
    nextNode: "下一个节点", previousNode: "上一个节点", runToEnd: "运行到最后",
    calcTitle: "逐个节点查看网络的计算",
    calcHint: "在图中点击一个点，然后按“下一个节点”，跟随它的数字穿过网络。",
    chosenPoint: "选中的点", predicted: "预测", probability: "概率", sumOfProbabilities: "概率之和",
    classLabel: "类别",
    diverged: "训练已停止：网络发散了。",
    divergedHint: "请降低学习率，然后按“重置”。",
    connectionLost: "与服务器的连接中断，正在重试……",
    connectionBack: "已重新连接。",
    resetsWeights: "此更改将从新的权重开始。",
    resetsData: "新数据：权重保留，损失在新数据上重新计算。",
    hoverHint: "将鼠标悬停在节点上查看其输出；点击连线可编辑权重。",
    x1: "x1", x2: "x2", labelOptional: "标签", pickTrain: "训练样本", pickTest: "测试样本",
    applyUpdate: "应用这次更新", applied: "已在这个样本上执行一次 SGD 更新。",
    diagTitle: "诊断", gradChart: "训练过程中各层梯度大小（对数刻度）",
    confusionTitle: "混淆矩阵（测试集）", truePredicted: "真实 ↓  预测 →",
    deadNone: "没有死亡单元。",
    deadSome: "{n} 个死亡单元：{list}。它们对每个训练点的输出都是 0，得不到梯度，不再学习。请降低学习率，或改用 Leaky ReLU。",
    gradOk: "梯度能到达每一层（第一层 / 最后一层：{r}）。",
    gradVanishing: "梯度消失：第一层的梯度只有最后一层的 {r} 倍，前面几层几乎学不动。深层 sigmoid 或 tanh 网络常见此问题；请改用 ReLU、减少层数或使用 He 初始化。",
    gradExploding: "梯度爆炸：梯度极大或无限增长。请降低学习率。",
    hiddenChange: "对所有 z ≤ 0，{act}(z) = 0：对这个点该单元什么也不传递，z 在 0 以下的任何变化都看不出来。",
    noLabel: "前向传播完成。给这个点一个标签（或选择一个样本），即可继续反向传播。",
    lossOfExample: "这个样本的损失", backwardStep: "反向传播",
    weightGrad: "dL/dw = a × dL/dz", update: "更新 −lr × dL/dw，lr",
    layerName: "层",
    explorerTitle: "激活函数", close: "关闭", explain: "激活函数说明",
    explorerPlot: "函数（实线）及其导数（虚线），z 取 [-5, 5]",
    outputHeads: "输出层",
    activationUse: {
      linear: "没有非线性：多层线性叠加仍然只是一个线性映射。可作为对照。",
      sigmoid: "把 z 压缩到 (0, 1)：适合二分类的输出概率。用在隐藏层时斜率最大只有 0.25，深层 sigmoid 网络学习很慢（梯度消失）。",
      tanh: "与 sigmoid 类似但以零为中心，取值 (-1, 1)：小型隐藏层的好默认选择。",
      relu: "计算便宜，z > 0 时不饱和；但如果某个单元的 z 一直为负，它就得不到梯度，可能“死亡”。",
      leaky_relu: "对负的 z 保留一个小斜率 (0.01)，单元始终有梯度，不会死亡。",
      prelu: "类似 Leaky ReLU，但每个单元学习自己的负斜率（初始为 0.25）。",
      elu: "负半轴平滑 (e^z - 1)，输出均值更接近零；不会出现死亡单元。",
      softplus: "平滑版的 ReLU：ln(1 + e^z)，它的导数就是 sigmoid。",
      swish: "z · sigmoid(z)：平滑且略微非单调；较深网络的现代选择。",
      gelu: "平滑的类 ReLU 曲线（Transformer 的默认选择）；现代且表现稳定。",
    },
    headUse: {
      sigmoid: "两个类别时输出一个概率，再用阈值判定",
      softmax: "各类概率之和为 1，适合互斥的类别",
      one_vs_all: "每个类别一个独立的概率，适合可以同时出现的标签",
      linear: "输出一个实数，用于回归（均方误差）",
    },
    kinds: { binary: "二分类", multiclass: "多分类", regression: "回归" },
    heads: { sigmoid: "Sigmoid（二分类）", softmax: "Softmax（互斥类别）", one_vs_all: "一对多 Sigmoid", linear: "线性（回归）" },
    datasets: {
      circle: "圆形", xor: "异或", gauss: "高斯", spiral: "螺旋", moons: "双月",
      blobs: "多团簇", spiral_k: "多臂螺旋", plane: "平面", multi_gauss: "多高斯",
    },
    activations: {
      linear: "线性", sigmoid: "Sigmoid", tanh: "Tanh", relu: "ReLU", leaky_relu: "Leaky ReLU",
      prelu: "PReLU", elu: "ELU", softplus: "Softplus", swish: "Swish", gelu: "GELU",
    },
    optimizers: { sgd: "SGD", momentum: "动量", adam: "Adam" },
    regularizers: { none: "无", l1: "L1", l2: "L2" },
  },
};

export const LANGUAGES = ["en", "zh"];

export function pickLanguage(search, navigatorLanguage) {
  const asked = new URLSearchParams(search).get("lang");
  if (LANGUAGES.includes(asked)) return asked;
  return (navigatorLanguage || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

// The translator for one language: t("play"), and name(kind, row) for catalog rows.
export function translator(lang) {
  const table = STRINGS[lang];
  const t = (key, fill = {}) => {
    const text = table[key] ?? STRINGS.en[key] ?? key;
    return typeof text === "string" ? text.replace(/\{(\w+)\}/g, (_, k) => String(fill[k] ?? "")) : text;
  };
  const name = (group, row) => table[group]?.[row.id] ?? row.name;
  return { lang, t, name };
}

// Fill every element marked data-i18n (text), data-i18n-title and data-i18n-label.
export function applyStrings(root, t) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}
